// /metrics is never public on the main port: behind METRICS_TOKEN, or on METRICS_PORT only.
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  type Backend,
  json,
  startServer,
  TEST_METRICS_TOKEN,
  type TestServer,
  useTestServer,
} from './support/server';

// The database plays no part in where /metrics is served: the embedded one is enough.
const backend: Backend = 'pglite';
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

function metricsPort(server: TestServer): AddressInfo {
  const listener = server.app.ctx.metricsServer;
  if (!listener) throw new Error('the test server has no metrics listener');
  return listener.address() as AddressInfo;
}

describe('GET /metrics with METRICS_TOKEN on the main port', () => {
  const server = useTestServer(backend);

  it.each([
    ['no Authorization header', {}],
    ['a wrong token', bearer('not-the-metrics-token-at-all')],
    ['the token with another scheme', { authorization: `Basic ${TEST_METRICS_TOKEN}` }],
    ['an empty bearer', { authorization: 'Bearer ' }],
  ])('answers 401 UNAUTHENTICATED to %s', async (_label, headers) => {
    const res = await fetch(`${server.url}/metrics`, { headers });
    expect(res.status).toBe(401);
    expect((await json(res)).error.code).toBe('UNAUTHENTICATED');
  });

  it('serves Prometheus text, gauges included, with the right token', async () => {
    const res = await fetch(`${server.url}/metrics`, { headers: bearer(TEST_METRICS_TOKEN) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toMatch(/^openwcall_open_rooms 0$/m);
    expect(text).toContain('openwcall_http_requests_total');
  });
});

describe('GET /metrics with neither METRICS_TOKEN nor METRICS_PORT', () => {
  const server = useTestServer(backend, { METRICS_TOKEN: '' });

  it('answers 404 NOT_FOUND, with or without a token', async () => {
    for (const headers of [{}, bearer(TEST_METRICS_TOKEN)]) {
      const res = await fetch(`${server.url}/metrics`, { headers });
      expect(res.status).toBe(404);
      expect((await json(res)).error.code).toBe('NOT_FOUND');
    }
    expect(server.app.ctx.metricsServer).toBeUndefined();
  });
});

describe('GET /metrics with METRICS_PORT', () => {
  const server = useTestServer(backend, { METRICS_TOKEN: '', METRICS_PORT: '0' });

  it('is served on its own listener, bound to 127.0.0.1 by default', async () => {
    const { address, port } = metricsPort(server);
    expect(address).toBe('127.0.0.1');
    expect(port).not.toBe(server.port);
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await res.text()).toMatch(/^openwcall_open_rooms 0$/m);
  });

  it('is not served on the main port', async () => {
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(404);
    expect((await json(res)).error.code).toBe('NOT_FOUND');
  });

  it('answers 404 NOT_FOUND to anything else on the metrics listener', async () => {
    const { port } = metricsPort(server);
    for (const [method, path] of [
      ['GET', '/health'],
      ['POST', '/metrics'],
      ['GET', '/metricsx'],
    ]) {
      const res = await fetch(`http://127.0.0.1:${port}${path}`, { method });
      expect(res.status).toBe(404);
      expect((await json(res)).error.code).toBe('NOT_FOUND');
    }
  });
});

describe('GET /metrics with METRICS_PORT and METRICS_TOKEN', () => {
  const server = useTestServer(backend, { METRICS_PORT: '0' });

  it('still needs the token on the metrics listener, and not on the main port either', async () => {
    const { port } = metricsPort(server);
    const url = `http://127.0.0.1:${port}/metrics`;
    const refused = await fetch(url);
    expect(refused.status).toBe(401);
    expect((await json(refused)).error.code).toBe('UNAUTHENTICATED');
    const ok = await fetch(url, { headers: bearer(TEST_METRICS_TOKEN) });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('openwcall_connected_sockets');
    const main = await fetch(`${server.url}/metrics`, { headers: bearer(TEST_METRICS_TOKEN) });
    expect(main.status).toBe(404);
  });
});

it('closes the metrics listener with the app, even with a kept-alive scrape connection', async () => {
  const server = await startServer(backend, { METRICS_PORT: '0' });
  const { port } = metricsPort(server);
  const url = `http://127.0.0.1:${port}/metrics`;
  expect((await fetch(url, { headers: bearer(TEST_METRICS_TOKEN) })).status).toBe(200);
  await server.close();
  await expect(fetch(url)).rejects.toThrow();
});
