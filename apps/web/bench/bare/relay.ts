import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * The bare baseline's relay, used only by `pnpm bench:web`: it serves bare/index.html and passes
 * signals between pages, nothing else (no accounts, no rate limits, no presence). A page opens
 * `GET /events?id=…` (Server-Sent Events) and posts `/join`, `/signal` and `/leave`.
 */

const page = readFileSync(new URL('./index.html', import.meta.url));

export interface BareRelay {
  readonly url: string;
  close(): Promise<void>;
}

function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      body += chunk;
    });
    request.on('end', () => {
      try {
        resolve(JSON.parse(body || '{}'));
      } catch (error) {
        reject(error);
      }
    });
    request.on('error', reject);
  });
}

export async function startBareRelay(): Promise<BareRelay> {
  const streams = new Map<string, ServerResponse>();
  const rooms = new Map<string, Set<string>>();
  const send = (to: string, message: unknown) => {
    streams.get(to)?.write(`data: ${JSON.stringify(message)}\n\n`);
  };
  const leave = (id: string, room: string) => {
    const members = rooms.get(room);
    if (!members?.delete(id)) return;
    for (const other of members) send(other, { type: 'left', from: id });
    if (members.size === 0) rooms.delete(room);
  };

  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://relay');
    if (request.method === 'GET' && url.pathname === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(page);
      return;
    }
    if (request.method === 'GET' && url.pathname === '/events') {
      const id = url.searchParams.get('id') ?? '';
      response.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      response.write(': open\n\n');
      streams.set(id, response);
      request.on('close', () => {
        if (streams.get(id) === response) streams.delete(id);
        for (const [room, members] of rooms) if (members.has(id)) leave(id, room);
      });
      return;
    }
    if (request.method !== 'POST') {
      response.writeHead(404).end();
      return;
    }
    const body = await readJson(request).catch(() => ({}) as Record<string, unknown>);
    const text = (key: string) => (typeof body[key] === 'string' ? body[key] : '');
    const [id, room, to] = [text('id'), text('room'), text('to')];
    if (url.pathname === '/join' && id && room) {
      const members = rooms.get(room) ?? new Set<string>();
      rooms.set(room, members);
      const existing = [...members];
      members.add(id);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ members: existing }));
      return;
    }
    if (url.pathname === '/signal' && id && to) {
      send(to, { type: 'signal', from: id, data: body.data });
      response.writeHead(204).end();
      return;
    }
    if (url.pathname === '/leave' && id && room) {
      leave(id, room);
      response.writeHead(204).end();
      return;
    }
    response.writeHead(400).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const stream of streams.values()) stream.end();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
