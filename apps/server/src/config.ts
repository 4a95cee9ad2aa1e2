import { randomBytes } from 'node:crypto';
import { z } from 'zod';

/*
 * Configuration, parsed once from the environment. Nothing else in the server reads
 * process.env: tests and embedders call `loadConfig({...})` or build a Config directly.
 */

const bool = z
  .enum(['true', 'false', '1', '0', 'on', 'off', 'yes', 'no'])
  .transform((v) => ['true', '1', 'on', 'yes'].includes(v));
const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max).default(def);
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));
const list = (def: string) =>
  z
    .string()
    .default(def)
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    );

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().default('0.0.0.0'),
  PORT: int(4000, 0, 65535),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * Which X-Forwarded-For hops to believe for the client IP (per-IP limits): `false`, a hop
   * count, or trusted addresses/CIDRs. `true` is refused: it would let any client pick its IP.
   */
  TRUST_PROXY: z
    .string()
    .default('false')
    .transform((v, ctx): false | number | string[] => {
      const t = v.trim().toLowerCase();
      if (['', 'false', '0', 'off', 'no'].includes(t)) return false;
      if (/^\d+$/.test(t)) return Number(t);
      if (['true', 'on', 'yes'].includes(t)) {
        ctx.addIssue({
          code: 'custom',
          message: 'TRUST_PROXY=true trusts every hop; give a hop count (e.g. 1) or proxy CIDRs',
        });
        return z.NEVER;
      }
      return t
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    }),

  DATABASE_URL: optionalString,
  /** Where the embedded database (PGlite) keeps its files when DATABASE_URL is unset. */
  DATA_DIR: optionalString,
  /** Create the demo users when the database has no users yet. */
  SEED_DEMO_USERS: bool.optional(),

  /** Who may sign up: anyone, holders of an invite link, or nobody (admins create accounts). */
  REGISTRATION: z.enum(['open', 'invite', 'closed']).optional(),
  /** Always admins (cannot be demoted), compared lower-cased. */
  ADMIN_EMAILS: list(''),

  JWT_SECRET: optionalString,
  ACCESS_TOKEN_TTL_SECONDS: int(900, 5, 86_400),
  REFRESH_TOKEN_TTL_DAYS: int(30, 1, 365),
  WEB_ORIGIN: list('http://localhost:3000'),

  STUN_URLS: list('stun:stun.l.google.com:19302'),
  TURN_URL: optionalString,
  TURN_USER: optionalString,
  TURN_PASS: optionalString,
  /** coturn `static-auth-secret`: enables time-limited TURN credentials. */
  TURN_SECRET: optionalString,
  TURN_TTL_SECONDS: int(3600, 10, 7 * 86_400),

  MAX_ROOM_PARTICIPANTS: int(6, 2, 50),
  RECONNECT_GRACE_MS: int(5000, 0, 600_000),
  FANOUT_BATCH_MS: int(50, 0, 1000),
  RING_TIMEOUT_MS: int(30_000, 100, 600_000),
  AUTH_TIMEOUT_MS: int(10_000, 100, 600_000),
  MAX_HTTP_BUFFER_BYTES: int(128 * 1024, 16 * 1024, 16 * 1024 * 1024),

  RATE_SIGNAL_PER_SEC: int(100, 1),
  RATE_SIGNAL_BURST: int(200, 1),
  RATE_EVENTS_PER_SEC: int(20, 1),
  RATE_EVENTS_BURST: int(200, 1),
  RATE_ABUSE_DISCONNECT_AFTER: int(100, 1),
  RATE_ABUSE_WINDOW_MS: int(10_000, 100),
  /** Events that reach every signed-in socket (presence, room list): per user, all sockets together. */
  RATE_FANOUT_PER_SEC: int(2, 1),
  RATE_FANOUT_BURST: int(20, 1),
  MAX_SOCKETS_PER_USER: int(10, 1, 1000),
  /** Per node: behind a proxy, the address is the one X-Forwarded-For names (see TRUST_PROXY). */
  MAX_SOCKETS_PER_IP: int(100, 1, 1_000_000),

  AUTH_RATE_LIMIT: z.enum(['on', 'off']).default('on'),
  LOGIN_MAX_PER_IP: int(30, 1),
  LOGIN_MAX_PER_ACCOUNT: int(10, 1),
  REGISTER_MAX_PER_IP: int(20, 1),
  AUTH_RATE_WINDOW_SECONDS: int(600, 1),

  REDIS_URL: optionalString,
  /** Key prefix in Redis: one deployment per prefix. */
  REDIS_PREFIX: z.string().default('owc:'),
  /** A node silent for this long is declared dead by the others (detection <= lease + 1/3 lease). */
  NODE_LEASE_MS: int(3000, 300, 60_000),
  /** How often a node looks for due deadlines set by other (or dead) nodes. */
  DEADLINE_POLL_MS: int(250, 10, 10_000),
  /** Embedded mode: seats and calls restored at start-up are held this long for their owners. */
  RESTART_GRACE_MS: int(60_000, 0, 3_600_000),

  /** /metrics needs `Authorization: Bearer <this>`; with neither this nor METRICS_PORT it is off. */
  METRICS_TOKEN: optionalString.refine((v) => v === undefined || v.length >= 16, {
    message: 'must be at least 16 characters',
  }),
  /** Serve /metrics on its own listener (METRICS_HOST:METRICS_PORT), never on PORT. */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  METRICS_HOST: z.string().default('127.0.0.1'),
});

export type Env = z.input<typeof EnvSchema>;

export interface Config {
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  logLevel: string;
  /** false, a number of trusted hops, or trusted proxy addresses/CIDRs (Fastify's trustProxy). */
  trustProxy: false | number | string[];
  database: { url: string | undefined; dataDir: string | undefined };
  seedDemoUsers: boolean;
  auth: {
    jwtSecret: string;
    /** True when no JWT_SECRET was given and a random one was made for this process. */
    jwtSecretGenerated: boolean;
    accessTokenTtlSeconds: number;
    refreshTokenTtlDays: number;
    registration: 'open' | 'invite' | 'closed';
    adminEmails: string[];
    rateLimit: {
      enabled: boolean;
      windowSeconds: number;
      loginPerIp: number;
      loginPerAccount: number;
      registerPerIp: number;
    };
  };
  webOrigins: string[];
  ice: {
    stunUrls: string[];
    turn: { url: string | undefined; user: string | undefined; pass: string | undefined };
    turnSecret: string | undefined;
    turnTtlSeconds: number;
  };
  signaling: {
    maxRoomParticipants: number;
    reconnectGraceMs: number;
    /** Broadcasts to every signed-in socket are gathered this long (0 = sent at once). */
    fanoutBatchMs: number;
    ringTimeoutMs: number;
    authTimeoutMs: number;
    maxHttpBufferBytes: number;
    rate: {
      signalPerSec: number;
      signalBurst: number;
      eventsPerSec: number;
      eventsBurst: number;
      abuseDisconnectAfter: number;
      abuseWindowMs: number;
      fanoutPerSec: number;
      fanoutBurst: number;
    };
    maxSocketsPerUser: number;
    maxSocketsPerIp: number;
  };
  redis: {
    url: string | undefined;
    prefix: string;
    leaseMs: number;
    deadlinePollMs: number;
  };
  restartGraceMs: number;
  metrics: { token: string | undefined; port: number | undefined; host: string };
}

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty variable (`PORT=`) means "not set", as in .env conventions; the one exception
  // is STUN_URLS, where empty means "no STUN server" (closed networks, tests).
  const present = Object.fromEntries(
    Object.entries(env).filter(([k, v]) => v !== undefined && (v !== '' || k === 'STUN_URLS')),
  );
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && !e.JWT_SECRET) {
    throw new ConfigError('JWT_SECRET is required when NODE_ENV=production.');
  }
  if (e.JWT_SECRET && e.JWT_SECRET.length < 32) {
    throw new ConfigError('JWT_SECRET must be at least 32 characters.');
  }
  return {
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    trustProxy: e.TRUST_PROXY,
    database: { url: e.DATABASE_URL, dataDir: e.DATA_DIR },
    seedDemoUsers: e.SEED_DEMO_USERS ?? e.NODE_ENV !== 'production',
    auth: {
      jwtSecret: e.JWT_SECRET ?? randomBytes(48).toString('base64url'),
      jwtSecretGenerated: !e.JWT_SECRET,
      accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlDays: e.REFRESH_TOKEN_TTL_DAYS,
      registration: e.REGISTRATION ?? (e.NODE_ENV === 'production' ? 'invite' : 'open'),
      adminEmails: e.ADMIN_EMAILS.map((email) => email.toLowerCase()),
      rateLimit: {
        enabled: e.AUTH_RATE_LIMIT === 'on',
        windowSeconds: e.AUTH_RATE_WINDOW_SECONDS,
        loginPerIp: e.LOGIN_MAX_PER_IP,
        loginPerAccount: e.LOGIN_MAX_PER_ACCOUNT,
        registerPerIp: e.REGISTER_MAX_PER_IP,
      },
    },
    webOrigins: e.WEB_ORIGIN,
    ice: {
      stunUrls: e.STUN_URLS,
      turn: { url: e.TURN_URL, user: e.TURN_USER, pass: e.TURN_PASS },
      turnSecret: e.TURN_SECRET,
      turnTtlSeconds: e.TURN_TTL_SECONDS,
    },
    signaling: {
      maxRoomParticipants: e.MAX_ROOM_PARTICIPANTS,
      reconnectGraceMs: e.RECONNECT_GRACE_MS,
      fanoutBatchMs: e.FANOUT_BATCH_MS,
      ringTimeoutMs: e.RING_TIMEOUT_MS,
      authTimeoutMs: e.AUTH_TIMEOUT_MS,
      maxHttpBufferBytes: e.MAX_HTTP_BUFFER_BYTES,
      rate: {
        signalPerSec: e.RATE_SIGNAL_PER_SEC,
        signalBurst: e.RATE_SIGNAL_BURST,
        eventsPerSec: e.RATE_EVENTS_PER_SEC,
        eventsBurst: e.RATE_EVENTS_BURST,
        abuseDisconnectAfter: e.RATE_ABUSE_DISCONNECT_AFTER,
        abuseWindowMs: e.RATE_ABUSE_WINDOW_MS,
        fanoutPerSec: e.RATE_FANOUT_PER_SEC,
        fanoutBurst: e.RATE_FANOUT_BURST,
      },
      maxSocketsPerUser: e.MAX_SOCKETS_PER_USER,
      maxSocketsPerIp: e.MAX_SOCKETS_PER_IP,
    },
    redis: {
      url: e.REDIS_URL,
      prefix: e.REDIS_PREFIX,
      leaseMs: e.NODE_LEASE_MS,
      deadlinePollMs: e.DEADLINE_POLL_MS,
    },
    restartGraceMs: e.RESTART_GRACE_MS,
    metrics: { token: e.METRICS_TOKEN, port: e.METRICS_PORT, host: e.METRICS_HOST },
  };
}
