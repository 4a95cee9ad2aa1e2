import { type Database, DUMMY_PASSWORD_HASH, verifyPassword } from '@openwcall/db';
import {
  type AuthConfigResponse,
  type AuthResponse,
  LoginBodySchema,
  type PublicUser,
  RefreshBodySchema,
  RegisterBodySchema,
} from '@openwcall/shared';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createAccount } from '../accounts/accounts';
import type { Config } from '../config';
import { AppError } from '../errors';
import { parseBody } from '../http/validation';
import type { AccessTokens } from './access-token';
import type { IssuedRefresh, RefreshSessions } from './refresh-sessions';
import { localThrottles, type ThrottleFactory } from './throttle';

export const REFRESH_COOKIE = 'owc_refresh';

export interface AuthDeps {
  config: Config;
  db: Database;
  tokens: AccessTokens;
  sessions: RefreshSessions;
  /** Where attempts are counted: this node (default) or Redis, shared by every node. */
  throttles?: ThrottleFactory;
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

export const clearedRefreshCookie = `${REFRESH_COOKIE}=; Path=/auth; HttpOnly; SameSite=Lax; Max-Age=0`;

export const sessionMeta = (request: FastifyRequest) => ({
  userAgent: request.headers['user-agent'],
  ip: request.ip,
});

export function registerAuthRoutes(
  app: FastifyInstance,
  { config, db, tokens, sessions, throttles = localThrottles }: AuthDeps,
) {
  const rl = config.auth.rateLimit;
  const windowMs = rl.windowSeconds * 1000;
  const loginPerIp = throttles('login-ip', rl.loginPerIp, windowMs);
  const loginPerAccount = throttles('login-account', rl.loginPerAccount, windowMs);
  const registerPerIp = throttles('register-ip', rl.registerPerIp, windowMs);
  const secureCookie = config.env === 'production';
  const registration = config.auth.registration;

  const seen = (userId: string) =>
    db.prisma.user.update({ where: { id: userId }, data: { lastSeenAt: new Date() } });

  async function respond(
    reply: FastifyReply,
    status: number,
    user: PublicUser,
    refresh: IssuedRefresh,
    refreshTokenInBody: boolean | undefined,
  ) {
    const body: AuthResponse = {
      accessToken: await tokens.sign(user, refresh.familyId),
      // Only to clients that ask (bots, apps): a token in the body is readable by any
      // script on the page, the cookie is not.
      ...(refreshTokenInBody ? { refreshToken: refresh.token } : {}),
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

  app.get('/auth/config', async (): Promise<AuthConfigResponse> => ({ registration }));

  app.post('/auth/register', async (request, reply) => {
    if (rl.enabled && !(await registerPerIp.hit(request.ip))) throw new AppError('RATE_LIMITED');
    const body = parseBody(RegisterBodySchema, request.body);
    if (registration === 'closed') throw new AppError('REGISTRATION_CLOSED');
    if (registration === 'invite' && body.invite === undefined)
      throw new AppError('INVITE_REQUIRED');
    const row = await createAccount(db.prisma, {
      email: body.email,
      displayName: body.displayName,
      password: body.password,
      // Open sign-up needs no invite; one sent anyway (an old link) is not counted.
      invite: registration === 'invite' ? body.invite : undefined,
    });
    const user = { id: row.id, displayName: row.displayName };
    request.log.info({ userId: user.id, admin: row.isAdmin }, 'user registered');
    await seen(user.id);
    const refresh = await sessions.issue(user.id, sessionMeta(request));
    return respond(reply, 201, user, refresh, body.refreshTokenInBody);
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
    // After the password only: a disabled account is not revealed to someone guessing.
    if (row.disabledAt) throw new AppError('ACCOUNT_DISABLED');
    const user = { id: row.id, displayName: row.displayName };
    await seen(user.id);
    const refresh = await sessions.issue(user.id, sessionMeta(request));
    return respond(reply, 200, user, refresh, body.refreshTokenInBody);
  });

  app.post('/auth/refresh', async (request, reply) => {
    const body = parseBody(RefreshBodySchema, request.body ?? {});
    const token = body.refreshToken ?? readCookie(request, REFRESH_COOKIE);
    if (!token) throw new AppError('UNAUTHENTICATED', 'No refresh token.');
    const { user, refresh } = await sessions.rotate(token, sessionMeta(request));
    await seen(user.id);
    return respond(reply, 200, user, refresh, body.refreshTokenInBody);
  });

  app.post('/auth/logout', async (request, reply) => {
    const body = parseBody(RefreshBodySchema, request.body ?? {});
    const token = body.refreshToken ?? readCookie(request, REFRESH_COOKIE);
    if (token) await sessions.revoke(token);
    return reply.status(204).header('set-cookie', clearedRefreshCookie).send();
  });
}
