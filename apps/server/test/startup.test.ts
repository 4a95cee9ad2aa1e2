import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_PASSWORD, DEMO_USERS } from '@openwcall/db';
import { openDatabase } from '@openwcall/db/client';
import { createTestDatabase } from '@openwcall/db/testing';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../src/app';
import { loadConfig } from '../src/config';
import { backends, TEST_JWT_SECRET } from './support/server';

const baseEnv = { NODE_ENV: 'test', LOG_LEVEL: 'silent', JWT_SECRET: TEST_JWT_SECRET } as const;

async function login(app: Awaited<ReturnType<typeof buildApp>>, email: string, password: string) {
  return app.inject({ method: 'POST', url: '/auth/login', payload: { email, password } });
}

describe('startup', () => {
  it('creates the demo users on an empty embedded database, keeps data across restarts, and seeds only once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'owc-pglite-'));
    try {
      const config = loadConfig({ ...baseEnv, DATA_DIR: dataDir, SEED_DEMO_USERS: 'true' });
      const first = await buildApp(config);
      const demo = DEMO_USERS[0];
      expect((await login(first, demo?.email ?? '', DEMO_PASSWORD)).statusCode).toBe(200);
      const reg = await first.inject({
        method: 'POST',
        url: '/auth/register',
        payload: { email: 'kept@example.test', password: 'persisted-1', displayName: 'Kept' },
      });
      expect(reg.statusCode).toBe(201);
      await first.close();

      const second = await buildApp(config);
      expect((await login(second, 'kept@example.test', 'persisted-1')).statusCode).toBe(200);
      expect(await second.ctx.db.prisma.user.count()).toBe(DEMO_USERS.length + 1);
      await second.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);

  describe.each(backends)('on %s', (backend) => {
    it('reports 503 degraded from /health when the database is down', async () => {
      const target = await createTestDatabase(backend);
      const db = await openDatabase({ url: target.url, dataDir: target.dataDir });
      const app = await buildApp(
        loadConfig({ ...baseEnv, ...(target.url ? { DATABASE_URL: target.url } : {}) }),
        { db },
      );
      try {
        expect((await app.inject({ url: '/health' })).statusCode).toBe(200);
        // Take the database away under the running server: drop it on Postgres (new
        // connections fail), close the in-process engine on PGlite.
        if (backend === 'postgres') await target.dispose();
        else await db.close();
        const res = await app.inject({ url: '/health' });
        expect(res.statusCode).toBe(503);
        expect(JSON.parse(res.body)).toEqual({ status: 'degraded', checks: { database: 'down' } });
        // A failing route answers INTERNAL without leaking details.
        const login = await app.inject({
          method: 'POST',
          url: '/auth/login',
          payload: { email: 'a@b.test', password: 'whatever' },
        });
        expect(login.statusCode).toBe(500);
        expect(JSON.parse(login.body)).toEqual({
          error: { code: 'INTERNAL', message: expect.any(String) },
        });
        expect(login.body).not.toMatch(/prisma|at \S+:\d+/i);
      } finally {
        await app.close();
        await db.close();
        await target.dispose();
      }
    }, 60_000);
  });
});
