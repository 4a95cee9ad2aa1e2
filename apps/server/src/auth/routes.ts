import {
  type Database,
  DUMMY_PASSWORD_HASH,
  hashPassword,
  isUniqueViolation,
  verifyPassword,
} from '@openwcall/db';
import {
  type AuthResponse,
  LoginBodySchema,
  type PublicUser,
  RefreshBodySchema,
  RegisterBodySchema,
} from '@openwcall/shared';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config';
import { AppError } from '../errors';
import { parseBody } from '../http/validation';
import type { AccessTokens } from './access-token';
import { RefreshSessions } from './refresh-sessions';
import { localThrottles, type ThrottleFactory } from './throttle';

export const REFRESH_COOKIE = 'owc_refresh';

export interface AuthDeps {
  config: Config;
  db: Database;
  tokens: AccessTokens;
  /** Where attempts are counted: this node (default) or Redis, shared by every node. */
  throttles?: ThrottleFactory;
}

/** Reads `Authorization: Bearer <jwt>` and returns its user, or throws UNAUTHENTICATED. */
export async function requireUser(request: FastifyRequest, tokens: AccessTokens) {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (!match?.[1]) throw new AppError('UNAUTHENTICATED', 'Missing bearer token.');
  return tokens.verify(match[1]);
}

function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k !== name) continue;
    try {
      return decodeURIComponent(v.join('='));
    } catch {
      throw new AppError('UNAUTHENTICATED', 'Malformed refresh cookie.');
    }
  }
  return undefined;
}

export function registerAuthRoutes(
  app: FastifyInstance,
  { config, db, tokens, throttles = localThrottles }: AuthDeps,
) {
  const sessions = new RefreshSessions(db.prisma, config.auth.refreshTokenTtlDays);
  const rl = config.auth.rateLimit;
  const windowMs = rl.windowSeconds * 1000;
  const loginPerIp = throttles('login-ip', rl.loginPerIp, windowMs);
  const loginPerAccount = throttles('login-account', rl.loginPerAccount, windowMs);
  const registerPerIp = throttles('register-ip', rl.registerPerIp, windowMs);
  const secureCookie = config.env === 'production';

  const meta = (request: FastifyRequest) => ({
    userAgent: request.headers['user-agent'],
    ip: request.ip,
  });

  async function respond(
    reply: FastifyReply,
    status: number,
    user: PublicUser,
    refresh: { token: string; expiresAt: Date },
  ) {
    const body: AuthResponse = {
      accessToken: await tokens.sign(user),
      refreshToken: refresh.token,
      expiresIn: tokens.ttlSeconds,
      user,
    };
    // HttpOnly so page scripts never see it; Path limits it to the token endpoints.
    const cookie = [
      `${REFRESH_COOKIE}=${refresh.token}`,
      'Path=/auth',
      'HttpOnly',
      'SameSite=Lax',
      `Expires=${refresh.expiresAt.toUTCString()}`,
      ...(secureCookie ? ['Secure'] : []),
    ].join('; ');
    return reply.status(status).header('set-cookie', cookie).send(body);
  }

  app.post('/auth/register', async (request, reply) => {
    if (rl.enabled && !(await registerPerIp.hit(request.ip))) throw new AppError('RATE_LIMITED');
    const body = parseBody(RegisterBodySchema, request.body);
    const passwordHash = await hashPassword(body.password);
    let user: PublicUser;
    try {
      const row = await db.prisma.user.create({
        data: { email: body.email, passwordHash, displayName: body.displayName },
      });
      user = { id: row.id, displayName: row.displayName };
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('EMAIL_TAKEN');
      throw err;
    }
    request.log.info({ userId: user.id }, 'user registered');
    return respond(reply, 201, user, await sessions.issue(user.id, meta(request)));
  });

  app.post('/auth/login', async (request, reply) => {
    const body = parseBody(LoginBodySchema, request.body);
    if (rl.enabled) {
      // Both counted before the slow verify: concurrent guesses must not all pass one check.
      const [ipOk, accountOk] = await Promise.all([
        loginPerIp.hit(request.ip),
        loginPerAccount.hit(body.email),
      ]);
      if (!ipOk || !accountOk) {
        request.log.warn({ ip: request.ip }, 'login throttled');
        throw new AppError('RATE_LIMITED', 'Too many sign-in attempts; try again later.');
      }
    }
    const row = await db.prisma.user.findUnique({ where: { email: body.email } });
    // Verify against a dummy hash for unknown emails so timing does not reveal accounts.
    const ok = await verifyPassword(row?.passwordHash ?? DUMMY_PASSWORD_HASH, body.password);
    if (!row || !ok) throw new AppError('INVALID_CREDENTIALS');
    await loginPerAccount.reset(body.email);
    const user = { id: row.id, displayName: row.displayName };
    return respond(reply, 200, user, await sessions.issue(user.id, meta(request)));
  });

  app.post('/auth/refresh', async (request, reply) => {
    const body = parseBody(RefreshBodySchema, request.body ?? {});
    const token = body.refreshToken ?? readCookie(request, REFRESH_COOKIE);
    if (!token) throw new AppError('UNAUTHENTICATED', 'No refresh token.');
    const { user, refresh } = await sessions.rotate(token, meta(request));
    return respond(reply, 200, user, refresh);
  });

  app.post('/auth/logout', async (request, reply) => {
    const body = parseBody(RefreshBodySchema, request.body ?? {});
    const token = body.refreshToken ?? readCookie(request, REFRESH_COOKIE);
    if (token) await sessions.revoke(token);
    return reply
      .status(204)
      .header('set-cookie', `${REFRESH_COOKIE}=; Path=/auth; HttpOnly; SameSite=Lax; Max-Age=0`)
      .send();
  });

  app.get('/me', async (request) => {
    const claimed = await requireUser(request, tokens);
    const row = await db.prisma.user.findUnique({ where: { id: claimed.id } });
    if (!row) throw new AppError('UNAUTHENTICATED', 'This account no longer exists.');
    return { user: { id: row.id, displayName: row.displayName } };
  });
}
