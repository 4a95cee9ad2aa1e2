// A malicious signaling server, for the safety-code test only: it rewrites the webrtc:* traffic
// of one person's socket so that both people's connections end in an attacker's page, which
// terminates both DTLS sessions with its own certificates and forwards the audio. The real
// server and the real app on both sides stay untouched.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser, Page, WebSocketRoute } from 'playwright-core';
import type { Person } from '../support';
import type { Attacker, Leg, VerifyMode } from './in-page';

async function attackerScript(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./in-page.ts', import.meta.url))],
    bundle: true,
    format: 'iife',
    target: 'chrome120',
    write: false,
  });
  const [file] = result.outputFiles;
  if (!file) throw new Error('esbuild produced nothing');
  return file.text;
}

type Method = {
  [K in keyof Attacker]: Attacker[K] extends (...args: never[]) => unknown ? K : never;
}[keyof Attacker];

export class ManInTheMiddle {
  /** Anything that went wrong inside the relay; the test asserts it stays empty. */
  readonly errors: unknown[] = [];
  private chain: Promise<void> = Promise.resolve();

  private constructor(readonly page: Page) {}

  /** The attacker's page: a blank page of the web app's origin (WebCrypto needs a secure one). */
  static async start(browser: Browser, origin: string, mode: VerifyMode) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.route(`${origin}/mitm`, (route) =>
      route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>mitm</title>' }),
    );
    await page.goto(`${origin}/mitm`);
    await page.addScriptTag({ content: await attackerScript() });
    await page.evaluate((mode) => {
      const w = window as unknown as {
        __installMitm: (mode: VerifyMode) => Attacker;
        __mitm: Attacker;
      };
      w.__mitm = w.__installMitm(mode);
    }, mode);
    return new ManInTheMiddle(page);
  }

  /**
   * From now on `victim`'s signaling goes through the attacker: the victim's page is reloaded
   * so that its new socket is the routed one.
   */
  async intercept(victim: Person): Promise<void> {
    await victim.context.routeWebSocket(/\/socket\.io\//, (ws) => this.route(ws));
    await victim.page.reload();
    await victim.page.getByRole('heading', { name: 'People' }).waitFor();
  }

  /** Results of the attacker's own handshakes, and its DTLS view of both legs. */
  state() {
    return this.page.evaluate(async () => {
      const mitm = (window as unknown as { __mitm: Attacker }).__mitm;
      const leg = async (pc: RTCPeerConnection) => {
        let bytesReceived = 0;
        (await pc.getStats()).forEach((r: { type: string; bytesReceived?: number }) => {
          if (r.type === 'inbound-rtp') bytesReceived += r.bytesReceived ?? 0;
        });
        return { state: pc.connectionState, bytesReceived };
      };
      return {
        near: await leg(mitm.pcs.near),
        far: await leg(mitm.pcs.far),
        results: mitm.results,
      };
    });
  }

  private call<M extends Method>(method: M, ...args: Parameters<Attacker[M]>) {
    return this.page.evaluate(
      ([method, args]) => {
        const mitm = (window as unknown as { __mitm: Record<string, (...a: unknown[]) => unknown> })
          .__mitm;
        return mitm[method]?.(...args);
      },
      [method, args] as const,
    ) as Promise<Awaited<ReturnType<Attacker[M]>>>;
  }

  // One queue for both directions: the attacker's connections change state in arrival order.
  private serially(work: () => Promise<void>) {
    this.chain = this.chain.then(work).catch((error: unknown) => {
      this.errors.push(error);
    });
  }

  private route(ws: WebSocketRoute) {
    const server = ws.connectToServer();
    const ackLocally = (frame: Frame) => {
      if (frame.ack !== '') ws.send(`43${frame.ack}[{"ok":true}]`);
    };
    // The victim's signals to the other person.
    ws.onMessage((message) => {
      const frame = parseFrame(message);
      if (!frame) return server.send(message);
      this.serially(async () => {
        const { payload } = frame;
        if (frame.name === 'webrtc:offer') {
          const sdp = await this.call('nearOffer', String(payload.sdp));
          server.send(encodeFrame(frame, { ...payload, sdp }));
        } else if (frame.name === 'webrtc:ice') {
          await this.call('ice', 'near', candidateOf(payload));
          ackLocally(frame);
        } else {
          throw new Error(`unexpected ${frame.name} from the victim`);
        }
      });
    });
    // The other person's signals to the victim.
    server.onMessage((message) => {
      const frame = parseFrame(message);
      if (!frame) return ws.send(message);
      this.serially(async () => {
        const { payload } = frame;
        if (frame.name === 'webrtc:answer') {
          const sdp = await this.call('farAnswer', String(payload.sdp));
          // Ben's answer names the forged offer; Ada's client would drop it as an answer to
          // another offer of hers, so it goes untagged, as an attacker would send it.
          const { answers: _, ...rest } = payload;
          ws.send(encodeFrame(frame, { ...rest, sdp }));
        } else if (frame.name === 'webrtc:offer') {
          const sdp = await this.call('farOffer', String(payload.sdp));
          const { from, sdp: _, ...scope } = payload;
          server.send(encodeFrame({ ack: '', name: 'webrtc:answer' }, { ...scope, to: from, sdp }));
        } else if (frame.name === 'webrtc:ice') {
          await this.call('ice', 'far' satisfies Leg, candidateOf(payload));
        }
      });
    });
  }
}

interface Frame {
  readonly ack: string;
  readonly name: string;
  readonly payload: Record<string, unknown>;
}

// A Socket.IO event on the default namespace: `42<ack id>["name",payload]` (socket.io-parser).
function parseFrame(message: string | Buffer): Frame | null {
  if (typeof message !== 'string') return null;
  const match = /^42(\d*)(\[[\s\S]*\])$/.exec(message);
  if (!match?.[2]) return null;
  const [name, payload] = JSON.parse(match[2]) as [unknown, unknown];
  if (typeof name !== 'string' || !name.startsWith('webrtc:') || name === 'webrtc:signal:error') {
    return null;
  }
  return { ack: match[1] ?? '', name, payload: payload as Record<string, unknown> };
}

function encodeFrame(frame: Pick<Frame, 'ack' | 'name'>, payload: object): string {
  return `42${frame.ack}${JSON.stringify([frame.name, payload])}`;
}

function candidateOf(payload: Record<string, unknown>): RTCIceCandidateInit | null {
  return (payload.candidate as RTCIceCandidateInit | null | undefined) ?? null;
}
