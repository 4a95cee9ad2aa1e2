import type { AddressInfo } from 'node:net';
import { createTestDatabase, databaseBackends } from '@openwcall/db/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import { buildApp } from '../../src/app';
import { loadConfig } from '../../src/config';

export type Backend = ReturnType<typeof databaseBackends>[number];

export const backends = databaseBackends();

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';
/** Test servers serve /metrics on their main port behind this token (pass '' to unset it). */
export const TEST_METRICS_TOKEN = 'test-metrics-token-0123456789';

/** A scrape of a test server's /metrics, with the test token. */
export async function metricsText(url: string): Promise<string> {
  const res = await fetch(`${url}/metrics`, {
    headers: { authorization: `Bearer ${TEST_METRICS_TOKEN}` },
  });
  if (res.status !== 200) throw new Error(`GET /metrics: ${res.status} ${await res.text()}`);
  return res.text();
}

export interface TestServer {
  app: FastifyInstance;
  url: string;
  port: number;
  /** Stops the server and drops its database. */
  close(): Promise<void>;
}

/** The configuration every test server starts from; `env` overrides it. */
export function testConfig(env: Record<string, string>) {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    JWT_SECRET: TEST_JWT_SECRET,
    AUTH_RATE_LIMIT: 'off',
    RECONNECT_GRACE_MS: '0',
    SEED_DEMO_USERS: 'false',
    STUN_URLS: '',
    HOST: '127.0.0.1',
    METRICS_TOKEN: TEST_METRICS_TOKEN,
    ...env,
  });
}

/**
 * A real server listening on a free port, on a brand-new database of the given kind.
 * `env` overrides the test defaults (which switch auth throttling off and the
 * reconnect grace to 0, as PROTOCOL.md suggests for tests).
 */
export async function startServer(
  backend: Backend,
  env: Record<string, string> = {},
): Promise<TestServer> {
  const target = await createTestDatabase(backend);
  const config = testConfig({
    ...(target.url ? { DATABASE_URL: target.url } : {}),
    ...(target.dataDir ? { DATA_DIR: target.dataDir } : {}),
    ...env,
  });
  const app = await buildApp(config);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return {
    app,
    port,
    url: `http://127.0.0.1:${port}`,
    async close() {
      await app.close();
      await target.dispose();
    },
  };
}

// biome-ignore lint/suspicious/noExplicitAny: tests assert on response fields one by one
export async function json(res: Response): Promise<Record<string, any>> {
  const text = await res.text();
  return text ? JSON.parse(text) : {};
}

let counter = 0;
/** A unique, valid registration body. */
export function newUser(name = 'User') {
  counter += 1;
  const tag = `${Date.now().toString(36)}${counter}${Math.random().toString(36).slice(2, 6)}`;
  return {
    email: `${name.toLowerCase()}-${tag}@example.test`,
    password: 'correct horse battery',
    displayName: `${name} ${counter}`,
  };
}

/** Registers as a bot or app would: the refresh token is asked for in the body. */
export async function register(
  baseUrl: string,
  body?: ReturnType<typeof newUser> & { invite?: string },
  name = 'User',
) {
  body ??= newUser(name);
  const res = await fetch(`${baseUrl}/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...body, refreshTokenInBody: true }),
  });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${await res.text()}`);
  const data = (await res.json()) as {
    accessToken: string;
    refreshToken: string;
    user: { id: string; displayName: string };
  };
  return { ...data, body };
}

/**
 * One server for the enclosing describe block: started before its tests, closed after.
 * The returned object reads through to the running server.
 */
export function useTestServer(backend: Backend, env: Record<string, string> = {}): TestServer {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startServer(backend, env);
  }, 60_000);
  afterAll(async () => {
    await server?.close();
  });
  const running = () => {
    if (!server) throw new Error('the test server has not started');
    return server;
  };
  return {
    get app() {
      return running().app;
    },
    get url() {
      return running().url;
    },
    get port() {
      return running().port;
    },
    close: () => running().close(),
  };
}

export const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

/** A request with `Authorization: Bearer <token>`; `body` is sent as JSON. */
export const authed = (
  method: string,
  url: string,
  token: string,
  body?: unknown,
  headers: Record<string, string> = {},
) =>
  fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

/** Signs in as a bot would (refresh token in the body); throws unless 200. */
export async function login(baseUrl: string, email: string, password: string) {
  const res = await post(`${baseUrl}/auth/login`, { email, password, refreshTokenInBody: true });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as {
    accessToken: string;
    refreshToken: string;
    user: { id: string; displayName: string };
  };
}
