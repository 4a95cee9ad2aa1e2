import { describe, expect, it } from 'vitest';
import { buildIceServers } from './ice-servers';

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
