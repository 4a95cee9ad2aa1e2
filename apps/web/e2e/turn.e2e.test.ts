// Issue 9 §5: the relay path against a real coturn using the server's TURN_SECRET credentials,
// and "Hide my IP address" (relay candidates only, so peers never learn each other's address).
import { createHmac } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AppPair,
  missingPrerequisite,
  startAppPair,
  startCoturn,
  tempDir,
} from './deploy-harness';
import {
  closeAll,
  expectAudioFlowing,
  type Person,
  poll,
  recordTiming,
  signUp,
  skipReason,
  unique,
  useBrowser,
  waitConnected,
} from './support';
import { createRoom, pressJoin } from './voice-support';

const prerequisite = skipReason || missingPrerequisite(['turnserver'], { root: false });
const SECRET = 'e2e-turn-secret-0123456789';

/** coturn's REST credentials (use-auth-secret): username `expiry:id`, HMAC-SHA1 of it. */
function credentials(expiresAt: number) {
  const username = `${expiresAt}:e2e-probe`;
  return { username, credential: createHmac('sha1', SECRET).update(username).digest('base64') };
}

/** Gathers relay candidates with the given TURN server; the gathering end orders the check. */
function gatherRelay(page: Page, server: RTCIceServer) {
  return page.evaluate(async (iceServer) => {
    const pc = new RTCPeerConnection({ iceServers: [iceServer], iceTransportPolicy: 'relay' });
    const types: string[] = [];
    const errors: number[] = [];
    pc.addEventListener('icecandidate', (e) => {
      if (e.candidate?.type) types.push(e.candidate.type);
    });
    pc.addEventListener('icecandidateerror', (e) => errors.push(e.errorCode));
    const done = new Promise<void>((resolve) => {
      pc.addEventListener('icegatheringstatechange', () => {
        if (pc.iceGatheringState === 'complete') resolve();
      });
    });
    pc.addTransceiver('audio');
    await pc.setLocalDescription(await pc.createOffer());
    await Promise.race([done, new Promise((r) => setTimeout(r, 15_000))]);
    const complete = pc.iceGatheringState === 'complete';
    pc.close();
    return { types, errors, complete };
  }, server);
}

/** Turns on "Hide my IP address" (relay candidates only) in the lobby. */
async function hideMyIp(page: Page) {
  const box = page.getByRole('checkbox', { name: 'Hide my IP address' });
  await box.check();
  expect(await box.isChecked()).toBe(true);
}

/** Candidate types of every local and remote candidate the page's open connections know. */
function candidateTypes(page: Page) {
  return page.evaluate(async () => {
    const pcs = window.__pcs.filter((pc) => pc.connectionState !== 'closed');
    const local: string[] = [];
    const remote: string[] = [];
    for (const pc of pcs) {
      (await pc.getStats()).forEach((r: { type: string; candidateType?: string }) => {
        if (r.type === 'local-candidate') local.push(r.candidateType ?? '?');
        if (r.type === 'remote-candidate') remote.push(r.candidateType ?? '?');
      });
    }
    return { local, remote };
  });
}

/** The relay candidate the open connection sends through now (selected pair), and its port. */
function selectedRelay(page: Page) {
  return page.evaluate(async () => {
    const pc = window.__pcs.find((p) => p.connectionState !== 'closed');
    if (!pc) return null;
    const stats = new Map<string, Record<string, unknown>>();
    (await pc.getStats()).forEach((r: Record<string, unknown>) => {
      stats.set(r.id as string, r);
    });
    for (const r of stats.values()) {
      if (r.type !== 'transport' || !r.selectedCandidatePairId) continue;
      const pair = stats.get(r.selectedCandidatePairId as string);
      const local = pair ? stats.get(pair.localCandidateId as string) : undefined;
      if (!local) return null;
      return { id: String(local.id), type: String(local.candidateType), port: Number(local.port) };
    }
    return null;
  });
}

/** The TURN server the page holds now (from its last `auth:hello` answer). */
function heldTurnServer(page: Page) {
  return page.evaluate(() => {
    const servers =
      window.__openwcall.app.connection.getSnapshot()?.signaling.getSnapshot().iceServers ?? [];
    return servers.find((s) => s.username) ?? null;
  });
}

/** The expiry (unix seconds) in the page's current TURN username (`<expiry>:<user id>`). */
async function turnExpiry(page: Page) {
  const held = await heldTurnServer(page);
  return Number(held?.username?.split(':')[0]) || 0;
}

// Short-lived credentials, so a call outlives them within the test.
const TURN_TTL_SECONDS = 12;

describe.skipIf(prerequisite !== '')('TURN relay through a real coturn', () => {
  const dir = tempDir('turn');
  const browser = useBrowser();
  let coturn: Awaited<ReturnType<typeof startCoturn>> | undefined;
  let app: AppPair | undefined;
  let webUrl = '';

  beforeAll(async () => {
    coturn = await startCoturn(dir.path, SECRET);
    app = await startAppPair({
      serverEnv: {
        TURN_URL: coturn.url,
        TURN_SECRET: SECRET,
        TURN_TTL_SECONDS: String(TURN_TTL_SECONDS),
      },
    });
    webUrl = app.webUrl;
  });

  /**
   * Ann and Ben (added to `people`), both hiding their IP address, in a new room: Ann created
   * it, Ben joined; both connected. With the time from Ben's Join to his connection.
   */
  async function relayOnlyPair(people: Person[], roomPrefix: string) {
    const ann = await signUp(browser(), 'Ann', `${webUrl}/`);
    const ben = await signUp(browser(), 'Ben', `${webUrl}/`);
    people.push(ann, ben);
    for (const p of people) await hideMyIp(p.page);
    const room = unique(roomPrefix);
    await createRoom(ann.page, room);
    const t0 = Date.now();
    await pressJoin(ben.page, room);
    await waitConnected(ben.page, 1);
    const joinToConnectedMs = Date.now() - t0;
    await waitConnected(ann.page, 1);
    return { ann, ben, joinToConnectedMs };
  }

  afterAll(async () => {
    app?.stop();
    await coturn?.stop().catch(() => {});
    dir.remove();
  });

  it('refuses expired credentials and accepts fresh ones', async () => {
    const probe = await signUp(browser(), 'Probe', `${webUrl}/`);
    const people = [probe];
    try {
      const now = Math.floor(Date.now() / 1000);
      const url = coturn?.url ?? '';
      const fresh = await gatherRelay(probe.page, { urls: url, ...credentials(now + 600) });
      expect(fresh.types).toContain('relay');
      const expired = await gatherRelay(probe.page, { urls: url, ...credentials(now - 60) });
      expect(expired.complete).toBe(true);
      expect(expired.types).toEqual([]);
      expect(expired.errors).toContain(401);
    } finally {
      await closeAll(people);
    }
  });

  it('with "Hide my IP address" two people connect over relays only and hear each other', async () => {
    const people: Person[] = [];
    try {
      const { joinToConnectedMs } = await relayOnlyPair(people, 'Private');
      recordTiming('relay-only', { joinToConnectedMs });
      await Promise.all(people.map((p) => expectAudioFlowing(p.page, 1)));

      for (const p of people) {
        const { local, remote } = await candidateTypes(p.page);
        expect(remote.length, `${p.name} knows remote candidates`).toBeGreaterThan(0);
        expect(new Set(remote), `${p.name} learned only relay addresses`).toEqual(
          new Set(['relay']),
        );
        expect(new Set(local), `${p.name} offered only relay addresses`).toEqual(
          new Set(['relay']),
        );
      }
    } finally {
      await closeAll(people);
    }
  });

  it('a call outlives its TURN credentials: fresh ones before they expire, which coturn takes after', async () => {
    const people: Person[] = [];
    try {
      const { ben } = await relayOnlyPair(people, 'Long');
      const before = await selectedRelay(ben.page);
      expect(before?.type).toBe('relay');
      const first = Math.min(...(await Promise.all(people.map((p) => turnExpiry(p.page)))));
      expect(first).toBeGreaterThan(0);

      // Both pages take new credentials before the first ones run out …
      for (const p of people) {
        await poll(
          () => turnExpiry(p.page),
          (expiry) => expiry > first,
          {
            timeoutMs: TURN_TTL_SECONDS * 1000,
            what: `fresh TURN credentials in ${p.name}'s page`,
          },
        );
      }
      // … so once coturn refuses the first ones (the test above), what each page holds still
      // gets a relay allocation, and an ICE restart finds relays again.
      const expired = first * 1000 + 1_000 - Date.now();
      if (expired > 0) await new Promise((resolve) => setTimeout(resolve, expired));
      for (const p of people) {
        const held = await heldTurnServer(p.page);
        expect(held, `${p.name} holds TURN credentials`).not.toBeNull();
        const gathered = await gatherRelay(p.page, held as RTCIceServer);
        expect(gathered.types, `${p.name}'s held credentials get a relay`).toContain('relay');
      }
      const t0 = Date.now();
      await ben.page.evaluate(() => window.__openwcall.restartIce());
      const after = await poll(
        () => selectedRelay(ben.page),
        (pair) => pair !== null && pair.id !== before?.id,
        { timeoutMs: 15_000, what: 'a pair on a new relay allocation after the ICE restart' },
      );
      recordTiming('turn-expired-restart', { restartToNewRelayMs: Date.now() - t0 });
      expect(after?.type).toBe('relay');
      await Promise.all(people.map((p) => expectAudioFlowing(p.page, 1)));
    } finally {
      await closeAll(people);
    }
  });
});
