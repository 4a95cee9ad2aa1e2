import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config';
import { iceServersFor } from './ice-servers';

describe('iceServersFor', () => {
  it('gives the default public STUN server', () => {
    expect(iceServersFor('u1', loadConfig({}).ice)).toEqual([
      { urls: ['stun:stun.l.google.com:19302'] },
    ]);
  });

  it('adds a static TURN server when TURN_URL/USER/PASS are set', () => {
    const ice = loadConfig({
      STUN_URLS: '',
      TURN_URL: 'turn:t.test:3478',
      TURN_USER: 'u',
      TURN_PASS: 'p',
    }).ice;
    expect(iceServersFor('u1', ice)).toEqual([
      { urls: 'turn:t.test:3478', username: 'u', credential: 'p' },
    ]);
  });

  it('mints time-limited coturn credentials when TURN_SECRET is set', () => {
    const ice = loadConfig({
      STUN_URLS: '',
      TURN_URL: 'turn:t.test:3478?transport=udp,turns:t.test:5349',
      TURN_SECRET: 's3cret',
      TURN_TTL_SECONDS: '600',
    }).ice;
    const now = 1_700_000_000_000;
    const [turn] = iceServersFor('user-42', ice, now);
    const expectedUser = `${1_700_000_000 + 600}:user-42`;
    expect(turn).toEqual({
      urls: ['turn:t.test:3478?transport=udp', 'turns:t.test:5349'],
      username: expectedUser,
      credential: createHmac('sha1', 's3cret').update(expectedUser).digest('base64'),
    });
  });
});
