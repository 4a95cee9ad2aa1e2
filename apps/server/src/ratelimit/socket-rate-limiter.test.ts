import { describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMITS, type RateVerdict, SocketRateLimiter } from './socket-rate-limiter';

function clock() {
  let now = 0;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

function count(verdicts: RateVerdict[]) {
  return {
    allow: verdicts.filter((v) => v === 'allow').length,
    limit: verdicts.filter((v) => v === 'limit').length,
    disconnect: verdicts.filter((v) => v === 'disconnect').length,
  };
}

describe('SocketRateLimiter', () => {
  it('documents its defaults', () => {
    expect(DEFAULT_RATE_LIMITS).toEqual({
      signalPerSec: 100,
      signalBurst: 200,
      eventsPerSec: 200,
      eventsBurst: 200,
      abuseDisconnectAfter: 100,
      abuseWindowMs: 10_000,
    });
  });

  it('passes 60 ICE candidates within one second', () => {
    const limiter = new SocketRateLimiter({}, clock().now);
    const verdicts = Array.from({ length: 60 }, () => limiter.check('webrtc:ice'));
    expect(count(verdicts).allow).toBe(60);
  });

  it('passes 100 signals per second sustained for a minute', () => {
    const time = clock();
    const limiter = new SocketRateLimiter({}, time.now);
    const verdicts: RateVerdict[] = [];
    for (let i = 0; i < 6000; i++) {
      verdicts.push(limiter.check(i % 3 === 0 ? 'webrtc:offer' : 'webrtc:ice'));
      time.advance(10);
    }
    expect(count(verdicts).allow).toBe(6000);
  });

  it('passes the worst case the protocol promises: a burst of 100, then 100/s for a minute', () => {
    const time = clock();
    const limiter = new SocketRateLimiter({}, time.now);
    const verdicts = Array.from({ length: 100 }, () => limiter.check('webrtc:ice'));
    for (let i = 0; i < 6000; i++) {
      verdicts.push(limiter.check('webrtc:ice'));
      time.advance(10);
    }
    expect(count(verdicts).allow).toBe(6100);
  });

  it('passes bursts of 100 every two seconds averaging 100/s', () => {
    const time = clock();
    const limiter = new SocketRateLimiter({}, time.now);
    const verdicts: RateVerdict[] = [];
    for (let period = 0; period < 30; period++) {
      for (let i = 0; i < 100; i++) verdicts.push(limiter.check('webrtc:ice'));
      for (let i = 0; i < 100; i++) {
        verdicts.push(limiter.check('webrtc:answer'));
        time.advance(20);
      }
    }
    expect(count(verdicts).allow).toBe(6000);
  });

  it('keeps signals unaffected by a flood of other events', () => {
    const limiter = new SocketRateLimiter({}, clock().now);
    for (let i = 0; i < 250; i++) limiter.check('room:self:mute');
    expect(limiter.check('webrtc:ice')).toBe('allow');
  });

  it('limits a burst of more than 200 other events within a second', () => {
    const limiter = new SocketRateLimiter({}, clock().now);
    const verdicts = Array.from({ length: 201 }, () => limiter.check('presence:set'));
    expect(count(verdicts)).toEqual({ allow: 200, limit: 1, disconnect: 0 });
  });

  it('limits a flood, then disconnects it, and stays disconnected', () => {
    const limiter = new SocketRateLimiter({}, clock().now);
    const verdicts = Array.from({ length: 1000 }, () => limiter.check('webrtc:ice'));
    expect(verdicts.slice(0, 200).every((v) => v === 'allow')).toBe(true);
    expect(verdicts.slice(200, 300).every((v) => v === 'limit')).toBe(true);
    expect(verdicts[300]).toBe('disconnect');
    expect(count(verdicts).disconnect).toBe(700);
    expect(limiter.check('room:join')).toBe('disconnect');
  });

  it('forgets limited events older than the window', () => {
    const time = clock();
    const limiter = new SocketRateLimiter(
      { eventsPerSec: 1, eventsBurst: 1, abuseDisconnectAfter: 3, abuseWindowMs: 1000 },
      time.now,
    );
    // Each round: one allowed, three limited; never more than three within the window.
    for (let round = 0; round < 5; round++) {
      expect(limiter.check('x')).toBe('allow');
      for (let i = 0; i < 3; i++) expect(limiter.check('x')).toBe('limit');
      time.advance(1000);
    }
    expect(limiter.check('x')).toBe('allow');
    for (let i = 0; i < 3; i++) limiter.check('x');
    expect(limiter.check('x')).toBe('disconnect');
  });
});
