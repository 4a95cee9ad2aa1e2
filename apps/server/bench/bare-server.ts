import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';

/*
 * The yardstick: a bare Socket.IO relay with the same events and the same wire shapes as
 * ours, and nothing else — no auth, no validation, no rate limits, no rules, no metrics.
 * `auth:hello { token }` takes the token as the user id.
 */
export async function startBareServer(): Promise<{ port: number; close(): Promise<void> }> {
  const http = createServer();
  const io = new Server(http, { maxHttpBufferSize: 128 * 1024 });
  const socketOf = new Map<string, string>();

  io.on('connection', (socket) => {
    let userId: string | undefined;
    socket.on('auth:hello', (payload: { token: string }, ack?: (r: unknown) => void) => {
      userId = payload.token;
      socketOf.set(userId, socket.id);
      ack?.({ ok: true, user: { id: userId, displayName: userId }, iceServers: [] });
    });
    for (const event of ['webrtc:offer', 'webrtc:answer', 'webrtc:ice'] as const) {
      socket.on(event, (payload: Record<string, unknown>, ack?: (r: unknown) => void) => {
        const target = socketOf.get(payload.to as string);
        if (target) {
          const { to: _to, ...rest } = payload;
          io.to(target).emit(event, { from: userId, ...rest });
        }
        ack?.({ ok: true });
      });
    }
    socket.on('disconnect', () => {
      if (userId && socketOf.get(userId) === socket.id) socketOf.delete(userId);
    });
  });

  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    port: (http.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => io.close(() => resolve())),
  };
}
