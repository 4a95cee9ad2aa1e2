import { describe, expect, it } from 'vitest';
import { buildIceServers, hasTurnServer, withPrivacy } from './ice-servers';

const stun = { urls: 'stun:stun.example.org:3478' };

describe('buildIceServers', () => {
  it('keeps the server list when no TURN server is configured', () => {
    expect(buildIceServers([stun])).toEqual([stun]);
    expect(buildIceServers([stun], { url: '  ', username: 'u' })).toEqual([stun]);
  });

  it('appends the static TURN server with its credentials', () => {
    expect(
      buildIceServers([stun], {
        url: 'turn:turn.example.org:3478?transport=udp, turns:turn.example.org:5349',
        username: 'user',
        credential: 'secret',
      }),
    ).toEqual([
      stun,
      {
        urls: ['turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:5349'],
        username: 'user',
        credential: 'secret',
      },
    ]);
  });
});

describe('Hide my IP address', () => {
  const turn = { urls: ['stun:s.test', 'turns:t.test:5349'], username: 'u', credential: 'p' };

  it('asks for relay candidates only when on and a TURN server exists', () => {
    expect(withPrivacy({ iceServers: [turn] }, true).iceTransportPolicy).toBe('relay');
    expect(withPrivacy({ iceServers: [turn] }, false).iceTransportPolicy).toBeUndefined();
  });

  it('leaves the policy alone without TURN, where relay-only could never connect', () => {
    const stunOnly = { iceServers: [{ urls: 'stun:s.test' }] };
    expect(hasTurnServer(stunOnly.iceServers)).toBe(false);
    expect(withPrivacy(stunOnly, true).iceTransportPolicy).toBeUndefined();
  });
});
