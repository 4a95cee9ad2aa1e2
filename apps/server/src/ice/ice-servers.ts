import { createHmac } from 'node:crypto';
import type { IceServer } from '@openwcall/shared';
import type { Config } from '../config';

/**
 * ICE servers handed to a client in `auth:ok`: the public STUN list, a static TURN server
 * when TURN_URL/USER/PASS are set, and a time-limited TURN credential when TURN_SECRET is
 * set (coturn `use-auth-secret`: username `<expiry unix>:<userId>`, password
 * base64(HMAC-SHA1(secret, username))).
 */
export function iceServersFor(
  userId: string,
  ice: Config['ice'],
  nowMs: number = Date.now(),
): IceServer[] {
  const servers: IceServer[] = [];
  if (ice.stunUrls.length > 0) servers.push({ urls: ice.stunUrls });
  const { url, user, pass } = ice.turn;
  if (url && ice.turnSecret) {
    const expiry = Math.floor(nowMs / 1000) + ice.turnTtlSeconds;
    const username = `${expiry}:${userId}`;
    const credential = createHmac('sha1', ice.turnSecret).update(username).digest('base64');
    servers.push({ urls: splitUrls(url), username, credential });
  } else if (url && user && pass) {
    servers.push({ urls: splitUrls(url), username: user, credential: pass });
  }
  return servers;
}

function splitUrls(url: string): string | string[] {
  const urls = url
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return urls.length === 1 ? (urls[0] as string) : urls;
}
