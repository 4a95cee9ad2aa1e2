import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('has working defaults for a fresh clone', () => {
    const config = loadConfig({});
    expect(config.port).toBe(4000);
    expect(config.database.url).toBeUndefined();
    expect(config.webOrigins).toEqual(['http://localhost:3000']);
    expect(config.signaling.maxRoomParticipants).toBe(6);
    expect(config.signaling.reconnectGraceMs).toBe(5000);
    expect(config.signaling.ringTimeoutMs).toBe(30000);
    expect(config.seedDemoUsers).toBe(true);
  });

  it('makes a random per-process JWT secret outside production, and says so', () => {
    const a = loadConfig({});
    const b = loadConfig({});
    expect(a.auth.jwtSecretGenerated).toBe(true);
    expect(a.auth.jwtSecret).not.toBe(b.auth.jwtSecret);
    expect(a.auth.jwtSecret.length).toBeGreaterThanOrEqual(32);
  });

  it('refuses to start in production without JWT_SECRET, and does not seed demo users there', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    const prod = loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'p'.repeat(40) });
    expect(prod.seedDemoUsers).toBe(false);
  });

  it('rejects invalid values with a readable message', () => {
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(/PORT/);
    expect(() => loadConfig({ JWT_SECRET: 'short' })).toThrow(/32 characters/);
    expect(() => loadConfig({ AUTH_RATE_LIMIT: 'maybe' })).toThrow(/AUTH_RATE_LIMIT/);
  });

  it('opens sign-up outside production, invites only in production, unless REGISTRATION says', () => {
    expect(loadConfig({}).auth.registration).toBe('open');
    const prod = { NODE_ENV: 'production', JWT_SECRET: 'p'.repeat(40) } as const;
    expect(loadConfig(prod).auth.registration).toBe('invite');
    expect(loadConfig({ ...prod, REGISTRATION: 'open' }).auth.registration).toBe('open');
    expect(loadConfig({ REGISTRATION: 'closed' }).auth.registration).toBe('closed');
    expect(() => loadConfig({ REGISTRATION: 'maybe' })).toThrow(/REGISTRATION/);
  });

  it('lower-cases ADMIN_EMAILS', () => {
    expect(loadConfig({}).auth.adminEmails).toEqual([]);
    expect(loadConfig({ ADMIN_EMAILS: ' Boss@X.test ,b@y.test,' }).auth.adminEmails).toEqual([
      'boss@x.test',
      'b@y.test',
    ]);
  });

  it('splits comma-separated origins and treats empty strings as unset', () => {
    const config = loadConfig({ WEB_ORIGIN: 'http://a.test, https://b.test', DATABASE_URL: '' });
    expect(config.webOrigins).toEqual(['http://a.test', 'https://b.test']);
    expect(config.database.url).toBeUndefined();
  });
});

describe('loadConfig with empty values', () => {
  it('treats PORT= as unset', () => {
    expect(loadConfig({ PORT: '' }).port).toBe(4000);
  });
});

describe('TRUST_PROXY', () => {
  it('takes false, a hop count or trusted CIDRs, and refuses true', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).trustProxy).toEqual([
      '10.0.0.0/8',
      '127.0.0.1',
    ]);
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(ConfigError);
  });
});

describe('loadConfig for /metrics', () => {
  it('leaves /metrics off by default, the internal listener on 127.0.0.1', () => {
    expect(loadConfig({}).metrics).toEqual({
      token: undefined,
      port: undefined,
      host: '127.0.0.1',
    });
  });

  it('reads METRICS_TOKEN, METRICS_PORT and METRICS_HOST, and refuses a short token', () => {
    const config = loadConfig({
      METRICS_TOKEN: 'm'.repeat(16),
      METRICS_PORT: '9464',
      METRICS_HOST: '10.0.0.2',
    });
    expect(config.metrics).toEqual({ token: 'm'.repeat(16), port: 9464, host: '10.0.0.2' });
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN/);
    expect(() => loadConfig({ METRICS_PORT: '70000' })).toThrow(/METRICS_PORT/);
  });
});
