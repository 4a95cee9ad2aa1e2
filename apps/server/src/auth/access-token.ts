import type { PublicUser } from '@openwcall/shared';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { AppError } from '../errors';

const ISSUER = 'openwcall';
const AUDIENCE = 'openwcall';

/** What a verified access token says: its user, its login (`sid`) and when it expires. */
export interface AccessClaims {
  user: PublicUser;
  /** The login (refresh-session family) the token was issued to; absent in older tokens. */
  sid: string | undefined;
  /** Epoch milliseconds. */
  expiresAt: number;
}

/**
 * Short-lived access JWTs (HS256). They carry the user's id and display name so the
 * signaling hot path never needs the database to know who a socket is, and the login
 * they belong to (`sid`), so revoking a login can close its sockets.
 */
export class AccessTokens {
  readonly #key: Uint8Array;
  readonly ttlSeconds: number;

  constructor(secret: string, ttlSeconds: number) {
    this.#key = new TextEncoder().encode(secret);
    this.ttlSeconds = ttlSeconds;
  }

  /** `sid` is the login; every token the auth routes issue has one (benchmarks sign without). */
  async sign(user: PublicUser, sid?: string): Promise<string> {
    return new SignJWT(
      sid === undefined ? { name: user.displayName } : { name: user.displayName, sid },
    )
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(user.id)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .sign(this.#key);
  }

  /** The user a token names, or UNAUTHENTICATED for an expired, forged or malformed one. */
  async verify(token: string): Promise<PublicUser> {
    return (await this.claims(token)).user;
  }

  /** Like verify, with the login and expiry. */
  async claims(token: string): Promise<AccessClaims> {
    // base64url leaves low bits unused in the last character; jose ignores them, so a token
    // with a changed last character would still verify. Only the canonical encoding passes.
    const signature = token.slice(token.lastIndexOf('.') + 1);
    if (Buffer.from(signature, 'base64url').toString('base64url') !== signature) {
      throw new AppError('UNAUTHENTICATED', 'Invalid token.');
    }
    try {
      const { payload } = await jwtVerify(token, this.#key, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ['HS256'],
      });
      if (
        typeof payload.sub !== 'string' ||
        typeof payload.name !== 'string' ||
        typeof payload.exp !== 'number' ||
        (payload.sid !== undefined && typeof payload.sid !== 'string')
      ) {
        throw new AppError('UNAUTHENTICATED', 'Malformed token.');
      }
      return {
        user: { id: payload.sub, displayName: payload.name },
        sid: payload.sid,
        expiresAt: payload.exp * 1000,
      };
    } catch (err) {
      if (err instanceof AppError) throw err;
      const expired = err instanceof joseErrors.JWTExpired;
      throw new AppError('UNAUTHENTICATED', expired ? 'Token expired.' : 'Invalid token.');
    }
  }
}
