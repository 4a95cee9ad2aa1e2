// The nginx configs under deploy/ render with deploy/render.sh and pass `nginx -t`.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');
const nginx = ['nginx', '/usr/sbin/nginx'].find((c) => spawnSync(c, ['-v']).status === 0);
if (!nginx && process.env.CI) throw new Error('CI needs nginx to check the deploy/ configs');
if (!nginx) console.warn('nginx not installed: skipping the deploy/ config checks');

function render(file: string, vars: Record<string, string>): string {
  return execFileSync('sh', [join(root, 'deploy/render.sh'), join(root, file)], {
    env: { ...process.env, ...vars },
    encoding: 'utf8',
  });
}

function nginxTest(site: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'owc-nginx-t-'));
  try {
    writeFileSync(join(dir, 'site.conf'), site);
    const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
      .map((t) => `${t}_temp_path ${join(dir, t)};`)
      .join(' ');
    writeFileSync(
      join(dir, 'nginx.conf'),
      `pid ${dir}/pid; error_log ${dir}/error.log; events {} http { access_log off; ${temp} include ${dir}/site.conf; }\n`,
    );
    const out = spawnSync(
      nginx as string,
      ['-p', dir, '-e', `${dir}/error.log`, '-t', '-c', `${dir}/nginx.conf`],
      {
        encoding: 'utf8',
      },
    );
    expect(out.status, out.stderr).toBe(0);
    return out.stderr;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.skipIf(!nginx)('deploy/ nginx configs', () => {
  it('render.sh refuses to render with a variable missing', () => {
    const out = spawnSync(
      'sh',
      [join(root, 'deploy/render.sh'), join(root, 'deploy/nginx-lb.conf')],
      {
        env: { PATH: process.env.PATH ?? '' },
        encoding: 'utf8',
      },
    );
    expect(out.status).not.toBe(0);
    expect(out.stderr).toMatch(/OPENWCALL_\w+ is not set/);
  });

  it('the load balancer renders to a valid config with both nodes', () => {
    const site = render('deploy/nginx-lb.conf', {
      OPENWCALL_LB_LISTEN: '127.0.0.1:1',
      OPENWCALL_SERVER_NODE_1: '127.0.0.1:2',
      OPENWCALL_SERVER_NODE_2: '127.0.0.1:3',
    });
    expect(site.replace(/#.*$/gm, '')).not.toContain('${OPENWCALL');
    expect(site).toMatch(/server 127\.0\.0\.1:2 [^;]*;\s+server 127\.0\.0\.1:3 /);
    expect(site).not.toMatch(/ip_hash|hash |sticky/);
    nginxTest(site);
  });

  it('the TLS site renders to a valid config that sends server routes to the server, pages to the web app', () => {
    const dir = mkdtempSync(join(tmpdir(), 'owc-tls-t-'));
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=voice.test',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
        ],
        { stdio: 'ignore' },
      );
      const site = render('deploy/openwcall.conf.template', {
        OPENWCALL_PUBLIC_ORIGIN: 'https://voice.test',
        OPENWCALL_SERVER_NAME: 'voice.test',
        OPENWCALL_HTTPS_LISTEN: '127.0.0.1:1',
        OPENWCALL_HTTP_LISTEN: '127.0.0.1:2',
        OPENWCALL_TLS_CERT: join(dir, 'cert.pem'),
        OPENWCALL_TLS_KEY: join(dir, 'key.pem'),
        OPENWCALL_SERVER_UPSTREAM: '127.0.0.1:3',
        OPENWCALL_WEB_UPSTREAM: '127.0.0.1:4',
      });
      nginxTest(site);
      const regexes = [...site.matchAll(/location ~ (\S+) \{/g)].map((m) => new RegExp(m[1] ?? ''));
      expect(regexes).toHaveLength(1);
      const toServer = (path: string) => regexes.some((r) => r.test(path));
      for (const path of [
        '/auth/login',
        '/auth/config',
        '/auth/invites/abc',
        '/auth/password-reset/abc',
        '/me',
        '/me/password',
        '/me/sessions',
        '/me/sessions/abc',
        '/api/admin/users',
        '/api/admin/audit',
        '/calls/history',
        '/health',
      ])
        expect(toServer(path), path).toBe(true);
      for (const path of [
        '/',
        '/account',
        '/admin',
        '/invite/abc',
        '/reset/abc',
        '/metrics',
        '/meet',
        '/assets/x.js',
      ])
        expect(toServer(path), path).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('deploy/openwcall.conf.template routes', () => {
  it("sends the server's HTTP routes (GET /users too) to the server and the rest to the web app", () => {
    const site = render('deploy/openwcall.conf.template', {
      OPENWCALL_SERVER_NAME: 'voice.example.test',
      OPENWCALL_HTTP_LISTEN: '127.0.0.1:1',
      OPENWCALL_HTTPS_LISTEN: '127.0.0.1:2',
      OPENWCALL_TLS_CERT: '/dev/null',
      OPENWCALL_TLS_KEY: '/dev/null',
      OPENWCALL_SERVER_UPSTREAM: '127.0.0.1:3',
      OPENWCALL_WEB_UPSTREAM: '127.0.0.1:4',
      OPENWCALL_PUBLIC_ORIGIN: 'https://voice.example.test',
      OPENWCALL_SERVER_URL: 'same-origin',
    });
    const pattern = /location ~ (\^\/\S+) \{/.exec(site)?.[1];
    expect(pattern).toBeDefined();
    // nginx's PCRE and JavaScript agree on this simple alternation.
    const toServer = new RegExp(pattern as string);
    for (const path of ['/users', '/auth/login', '/me', '/calls/history', '/health']) {
      expect(toServer.test(path), path).toBe(true);
    }
    for (const path of ['/', '/sign-in', '/users/extra', '/usersearch', '/_next/static/x.js']) {
      expect(toServer.test(path), path).toBe(false);
    }
  });
});
