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
  it('declares postgres, redis, two server nodes behind the load balancer, and web', () => {
    const file = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true });
    expect(Object.keys(file.services).sort()).toEqual([
      'lb',
      'postgres',
      'redis',
      'server-1',
      'server-2',
      'web',
    ]);
    for (const node of ['server-1', 'server-2']) {
      expect(file.services[node].environment.DATABASE_URL).toContain('@postgres:5432');
      expect(file.services[node].environment.REDIS_URL).toBe('redis://redis:6379');
      expect(file.services[node].build.dockerfile).toBe('apps/server/Dockerfile');
      expect(file.services[node].ports).toBeUndefined();
    }
    expect(file.services.lb.volumes[0]).toMatch(/^\.\/deploy\/nginx-lb\.conf:/);
    expect(file.services.lb.environment.OPENWCALL_SERVER_NODE_1).toBe('server-1:4000');
    expect(file.services.lb.environment.OPENWCALL_SERVER_NODE_2).toBe('server-2:4000');
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
    for (const service of ['postgres', 'redis', 'server-2', 'lb']) expect(out).toContain(service);
  });
});
