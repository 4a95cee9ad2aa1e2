import { createHash, randomBytes } from 'node:crypto';

/*
 * Tokens of one-time links (invites, password resets): 256 random bits, base64url, shown
 * once; only their SHA-256 is stored, so a copy of the database opens no link.
 */

export const newLinkToken = (): string => randomBytes(32).toString('base64url');

export const hashLinkToken = (token: string): string =>
  createHash('sha256').update(token).digest('hex');

/** `<first WEB_ORIGIN>/<page>/<token>`: the web app's page for that link. */
export function linkUrl(webOrigins: readonly string[], page: 'invite' | 'reset', token: string) {
  const origin = (webOrigins[0] ?? 'http://localhost:3000').replace(/\/+$/, '');
  return `${origin}/${page}/${token}`;
}
