// Hand-written getStats() reports for the unit tests (no browser).

/** A report as Chrome builds it for one audio connection (only the fields we read, and some noise). */
export function chromeReport(options: {
  rttS?: number;
  lost?: number;
  received?: number;
  jitterS?: number;
  remote?: { rttS?: number; fractionLost?: number; jitterS?: number };
}): RTCStatsReport {
  const stats: Array<Record<string, unknown>> = [
    { id: 'T01', type: 'transport', selectedCandidatePairId: 'CP1' },
    { id: 'CP0', type: 'candidate-pair', state: 'failed', currentRoundTripTime: 9 },
    { id: 'CP1', type: 'candidate-pair', state: 'succeeded', nominated: true },
    { id: 'OT1', type: 'outbound-rtp', kind: 'audio', packetsSent: 500 },
  ];
  if (options.rttS !== undefined) {
    (stats[2] as Record<string, unknown>).currentRoundTripTime = options.rttS;
  }
  if (options.received !== undefined) {
    stats.push({
      id: 'IT1',
      type: 'inbound-rtp',
      kind: 'audio',
      packetsLost: options.lost ?? 0,
      packetsReceived: options.received,
      jitter: options.jitterS ?? 0,
    });
  }
  if (options.remote) {
    stats.push({
      id: 'RI1',
      type: 'remote-inbound-rtp',
      kind: 'audio',
      roundTripTime: options.remote.rttS,
      fractionLost: options.remote.fractionLost,
      jitter: options.remote.jitterS,
    });
  }
  return new Map(stats.map((s) => [s.id as string, s])) as unknown as RTCStatsReport;
}
