import { describe, expect, it } from 'vitest';
import {
  classify,
  combined,
  describeQuality,
  lossBetween,
  NO_WINDOW,
  nextWindow,
  read,
  THRESHOLDS,
  verdict,
  worstOf,
} from './measure';
import { chromeReport } from './stats-fixture';

describe('read', () => {
  it('takes the round trip of the selected pair, not of another one', () => {
    const reading = read(chromeReport({ rttS: 0.012, received: 100, jitterS: 0.003 }));
    expect(reading.rttMs).toBeCloseTo(12);
    expect(reading.inbound).toEqual({ packetsLost: 0, packetsReceived: 100, jitterMs: 3 });
    expect(reading.uplink).toEqual({ rttMs: 12, lossPercent: null, jitterMs: null });
  });

  it('falls back on the RTCP round trip, and reads what the peer says of our audio', () => {
    const reading = read(
      chromeReport({ remote: { rttS: 0.3, fractionLost: 0.05, jitterS: 0.02 } }),
    );
    expect(reading.rttMs).toBeCloseTo(300);
    expect(reading.inbound).toBeNull();
    expect(reading.uplink.lossPercent).toBeCloseTo(5);
    expect(reading.uplink.jitterMs).toBeCloseTo(20);
  });

  it('finds a flagged pair without transport stats (Firefox)', () => {
    const report = new Map([
      ['p', { id: 'p', type: 'candidate-pair', selected: true, currentRoundTripTime: 0.04 }],
    ]) as unknown as RTCStatsReport;
    expect(read(report).rttMs).toBeCloseTo(40);
  });

  it('says nothing of an empty report (not connected yet)', () => {
    const reading = read(new Map() as unknown as RTCStatsReport);
    expect(verdict(combined(reading, null)).level).toBeNull();
    expect(nextWindow(NO_WINDOW, reading.inbound)).toBe(NO_WINDOW);
  });
});

describe('lossBetween', () => {
  it('counts the window between two samples, not the whole call', () => {
    // 10 of the first 1000 lost (1 %), then 30 of the next 130 (23 %).
    expect(lossBetween(null, { packetsLost: 10, packetsReceived: 990 })).toBeCloseTo(1);
    expect(
      lossBetween(
        { packetsLost: 10, packetsReceived: 990 },
        { packetsLost: 40, packetsReceived: 1090 },
      ),
    ).toBeCloseTo((30 / 130) * 100);
  });

  it('says nothing about a window with too few packets (silence with DTX)', () => {
    expect(
      lossBetween(
        { packetsLost: 0, packetsReceived: 500 },
        { packetsLost: 1, packetsReceived: 505 },
      ),
    ).toBeNull();
  });

  it('starts over when the counters went back (a replaced connection)', () => {
    expect(
      lossBetween(
        { packetsLost: 50, packetsReceived: 5000 },
        { packetsLost: 0, packetsReceived: 100 },
      ),
    ).toBe(0);
  });
});

describe('nextWindow', () => {
  it('lets a window too short to judge grow into the next sample, keeping the last loss', () => {
    const judged = nextWindow(NO_WINDOW, { packetsLost: 20, packetsReceived: 980 });
    expect(judged.lossPercent).toBeCloseTo(2);
    const quiet = nextWindow(judged, { packetsLost: 20, packetsReceived: 985 });
    expect(quiet).toBe(judged);
    // The grown window (from 1000 to 1100 packets) is judged as one.
    const next = nextWindow(quiet, { packetsLost: 25, packetsReceived: 1075 });
    expect(next.lossPercent).toBeCloseTo(5);
    expect(next.base).toEqual({ packetsLost: 25, packetsReceived: 1075 });
  });

  it('forgets a window whose counters went back', () => {
    const judged = nextWindow(NO_WINDOW, { packetsLost: 20, packetsReceived: 980 });
    expect(nextWindow(judged, { packetsLost: 0, packetsReceived: 5 })).toBe(NO_WINDOW);
  });
});

describe('classify', () => {
  it('is good below every good threshold, poor past any poor one, fair between', () => {
    expect(classify({ rttMs: 12, lossPercent: 0, jitterMs: 3 })).toBe('good');
    expect(classify({ rttMs: THRESHOLDS.good.rttMs, lossPercent: 0, jitterMs: 3 })).toBe('fair');
    expect(classify({ rttMs: 20, lossPercent: 3, jitterMs: 3 })).toBe('fair');
    expect(classify({ rttMs: 20, lossPercent: 0, jitterMs: 45 })).toBe('fair');
    expect(classify({ rttMs: 501, lossPercent: 0, jitterMs: 3 })).toBe('poor');
    expect(classify({ rttMs: 20, lossPercent: 9, jitterMs: 3 })).toBe('poor');
    expect(classify({ rttMs: 20, lossPercent: 0, jitterMs: 61 })).toBe('poor');
    expect(classify({ rttMs: THRESHOLDS.poor.rttMs, lossPercent: 0, jitterMs: 3 })).toBe('fair');
  });

  it('judges on what is known and waits when nothing is', () => {
    expect(classify({ rttMs: 30, lossPercent: null, jitterMs: null })).toBe('good');
    expect(classify({ rttMs: null, lossPercent: 12, jitterMs: null })).toBe('poor');
    expect(classify({ rttMs: null, lossPercent: null, jitterMs: null })).toBeNull();
  });
});

describe('combined and worstOf', () => {
  it('a connection is as good as its worse direction', () => {
    const previous = { packetsLost: 0, packetsReceived: 1000 };
    const reading = read(
      chromeReport({
        rttS: 0.02,
        lost: 1,
        received: 1099, // 1 % down
        jitterS: 0.004,
        remote: { fractionLost: 0.1, jitterS: 0.07 }, // 10 % up, 70 ms jitter
      }),
    );
    const metrics = combined(
      reading,
      nextWindow({ base: previous, lossPercent: null }, reading.inbound).lossPercent,
    );
    expect(metrics.lossPercent).toBeCloseTo(10);
    expect(metrics.jitterMs).toBeCloseTo(70);
    expect(verdict(metrics).level).toBe('poor');
  });

  it('our uplink is the worst over every peer, figure by figure', () => {
    expect(
      worstOf([
        { rttMs: 10, lossPercent: 5, jitterMs: null },
        { rttMs: 300, lossPercent: 0, jitterMs: 4 },
      ]),
    ).toEqual({ rttMs: 300, lossPercent: 5, jitterMs: 4 });
    expect(worstOf([])).toEqual({ rttMs: null, lossPercent: null, jitterMs: null });
  });
});

describe('describeQuality', () => {
  it('says the verdict and its figures, rounded as shown', () => {
    const shown = verdict({ rttMs: 12.4, lossPercent: 0.2, jitterMs: 2.6 });
    expect(describeQuality(shown)).toBe('Connection good: 12 ms round trip, 0% loss, 3 ms jitter');
    expect(
      describeQuality(
        verdict({ rttMs: 700, lossPercent: null, jitterMs: null }),
        'Your connection',
      ),
    ).toBe('Your connection poor: 700 ms round trip');
    expect(describeQuality(undefined)).toBe('Connection: measuring');
  });
});
