// Issue 11: the deploy/ nginx template terminates TLS and serves the web app and the server on
// one origin. The page is opened on a non-localhost address (the host side of a veth pair, with
// Chromium inside a namespace of this test's own), so the microphone works only because of https.
import { get } from 'node:https';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS } from './browser';
import {
  type AppPair,
  createNetns,
  missingPrerequisite,
  type Netns,
  renderTemplate,
  selfSignedCertificate,
  startAppPair,
  startNginx,
  tempDir,
} from './deploy-harness';
import { freePort } from './global-setup';
import {
  closeAll,
  expectAudioFlowing,
  type Person,
  signUp,
  skipReason,
  unique,
  waitConnected,
} from './support';
import { joinRoom } from './voice-support';

const prerequisite = skipReason || missingPrerequisite(['nginx', 'openssl', 'ip']);

function httpsHead(url: string, ca: string): Promise<{ status: number; hsts: string }> {
  return new Promise((resolvePromise, reject) => {
    get(url, { ca }, (response) => {
      response.resume();
      resolvePromise({
        status: response.statusCode ?? 0,
        hsts: String(response.headers['strict-transport-security'] ?? ''),
      });
    }).on('error', reject);
  });
}

describe.skipIf(prerequisite !== '')('HTTPS on one origin through deploy/nginx', () => {
  const dir = tempDir('https');
  let netns: Netns | undefined;
  let app: AppPair | undefined;
  let stopNginx: (() => Promise<void>) | undefined;
  let browser: Browser | undefined;
  let origin = '';
  let httpOrigin = '';
  let pem = '';

  beforeAll(async () => {
    netns = createNetns(dir.path, process.env.CHROMIUM_PATH ?? '/usr/bin/chromium');
    const cert = selfSignedCertificate(dir.path, netns.hostAddr);
    pem = cert.pem;
    const [httpsPort, httpPort] = [await freePort(netns.hostAddr), await freePort(netns.hostAddr)];
    origin = `https://${netns.hostAddr}:${httpsPort}`;
    httpOrigin = `http://${netns.hostAddr}:${httpPort}`;
    app = await startAppPair({ webOrigin: origin, serverUrlForWeb: 'same-origin' });
    const upstream = (url: string) => new URL(url).host;
    stopNginx = await startNginx(
      dir.path,
      renderTemplate('deploy/openwcall.conf.template', {
        OPENWCALL_PUBLIC_ORIGIN: origin,
        OPENWCALL_SERVER_NAME: netns.hostAddr,
        OPENWCALL_HTTPS_LISTEN: `${netns.hostAddr}:${httpsPort}`,
        OPENWCALL_HTTP_LISTEN: `${netns.hostAddr}:${httpPort}`,
        OPENWCALL_TLS_CERT: cert.certFile,
        OPENWCALL_TLS_KEY: cert.keyFile,
        OPENWCALL_SERVER_UPSTREAM: upstream(app.serverUrl),
        OPENWCALL_WEB_UPSTREAM: upstream(app.webUrl),
      }),
    );
    // Accept exactly this throwaway certificate, nothing else.
    browser = await chromium.launch({
      executablePath: netns.chromium,
      args: [...CHROMIUM_ARGS, `--ignore-certificate-errors-spki-list=${cert.spki}`],
    });
  });

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await stopNginx?.().catch(() => {});
    app?.stop();
    netns?.remove();
    dir.remove();
  });

  it('redirects http to https and sends HSTS', async () => {
    const redirect = await fetch(`${httpOrigin}/sign-in?x=1`, { redirect: 'manual' });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('location')).toBe(`${origin}/sign-in?x=1`);
    const page = await httpsHead(`${origin}/`, pem);
    expect(page.status).toBe(200);
    expect(page.hsts).toMatch(/max-age=\d+/);
    expect((await httpsHead(`${origin}/health`, pem)).status).toBe(200);
  });

  it('two people meet in a room and hear each other over https/wss', async () => {
    if (!browser) throw new Error('the browser has not started');
    const people: Person[] = [];
    const foreign: string[] = [];
    const sockets: string[] = [];
    const watch = (page: Page) => {
      page.on('request', (r) => {
        if (!r.url().startsWith(`${origin}/`) && !r.url().startsWith('data:'))
          foreign.push(r.url());
      });
      page.on('websocket', (ws) => sockets.push(ws.url()));
    };
    try {
      const ann = await signUp(browser, 'Ann', `${origin}/`);
      const ben = await signUp(browser, 'Ben', `${origin}/`);
      people.push(ann, ben);
      for (const p of people) watch(p.page);
      // Reload so the watchers see the socket and API traffic from the start.
      await Promise.all(people.map((p) => p.page.reload()));
      await Promise.all(
        people.map((p) => p.page.getByRole('heading', { name: 'People' }).waitFor()),
      );

      const room = unique('Secure');
      await ann.page.getByLabel('Room name').fill(room);
      await ann.page.getByRole('button', { name: 'Create room' }).click();
      await ann.page.getByRole('heading', { name: room }).waitFor();
      await joinRoom(ben.page, room);

      for (const p of people) await waitConnected(p.page, 1);
      await Promise.all(people.map((p) => expectAudioFlowing(p.page, 1)));

      expect(await ann.page.evaluate(() => window.isSecureContext)).toBe(true);
      expect(sockets.length).toBeGreaterThan(0);
      for (const url of sockets)
        expect(url).toMatch(new RegExp(`^wss://${netnsHost()}/socket\\.io/`));
      expect(foreign, 'requests that left the page origin').toEqual([]);
    } finally {
      await closeAll(people);
    }
  });

  function netnsHost() {
    return new URL(origin).host.replace(/\./g, '\\.');
  }
});
