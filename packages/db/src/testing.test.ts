import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, databaseBackends } from './testing';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('databaseBackends', () => {
  it('refuses to skip Postgres on CI', () => {
    vi.stubEnv('DATABASE_URL', '');
    vi.stubEnv('CI', 'true');
    expect(() => databaseBackends()).toThrow(/CI must run the database tests against PostgreSQL/);
  });

  it('is PGlite only locally without DATABASE_URL, both with it', () => {
    vi.stubEnv('CI', '');
    vi.stubEnv('DATABASE_URL', '');
    expect(databaseBackends()).toEqual(['pglite']);
    vi.stubEnv('DATABASE_URL', 'postgresql://x@127.0.0.1/postgres');
    expect(databaseBackends()).toEqual(['pglite', 'postgres']);
  });
});

describe.runIf(process.env.DATABASE_URL)('createTestDatabase("postgres")', () => {
  it('creates a fresh database and drops it on dispose', async () => {
    const t = await createTestDatabase('postgres');
    const name = new URL(t.url ?? '').pathname.slice(1);
    const exists = async () => {
      const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await admin.connect();
      try {
        const res = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        return res.rowCount === 1;
      } finally {
        await admin.end();
      }
    };
    expect(await exists()).toBe(true);
    await t.dispose();
    await t.dispose();
    expect(await exists()).toBe(false);
  });
});
