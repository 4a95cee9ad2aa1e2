import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = join(import.meta.dirname, '../../..');

function composeCommand(): string[] | null {
  if (spawnSync('docker', ['compose', 'version']).status === 0) return ['docker', 'compose'];
  if (spawnSync('docker-compose', ['version']).status === 0) return ['docker-compose'];
  return null;
}

describe('docker-compose.yml', () => {
  it('declares postgres, server and web, wired to each other', () => {
    const file = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'));
    expect(Object.keys(file.services).sort()).toEqual(['postgres', 'server', 'web']);
    expect(file.services.server.environment.DATABASE_URL).toContain('@postgres:5432');
    expect(file.services.server.build.dockerfile).toBe('apps/server/Dockerfile');
    expect(file.services.web.build.dockerfile).toBe('apps/web/Dockerfile');
  });

  const compose = composeCommand();
  if (!compose && process.env.CI)
    throw new Error('CI needs docker compose or docker-compose to check docker-compose.yml');
  if (!compose) console.warn('docker compose not installed: skipping `docker compose config`');
  it.skipIf(!compose)('passes `docker compose config`', () => {
    const [cmd, ...args] = compose as string[];
    const out = execFileSync(cmd as string, [...args, 'config'], {
      cwd: root,
      env: { ...process.env, JWT_SECRET: 'x'.repeat(40) },
      encoding: 'utf8',
    });
    expect(out).toContain('postgres');
  });
});
