import { describe, expect, it } from 'vitest';
import { dtlsFingerprintsOf } from './dtls-fingerprints';

function report(entries: object[]): RTCStatsReport {
  return new Map(entries.map((e) => [(e as { id: string }).id, e])) as unknown as RTCStatsReport;
}

const certificates = [
  { type: 'certificate', id: 'CFlocal', fingerprint: 'aa:bb', fingerprintAlgorithm: 'sha-256' },
  { type: 'certificate', id: 'CFremote', fingerprint: 'CC:DD', fingerprintAlgorithm: 'sha-256' },
];

describe('DTLS fingerprints from getStats', () => {
  it("reads the connected transport's certificates", () => {
    const stats = report([
      ...certificates,
      {
        type: 'transport',
        id: 'T01',
        dtlsState: 'connected',
        localCertificateId: 'CFlocal',
        remoteCertificateId: 'CFremote',
      },
    ]);
    expect(dtlsFingerprintsOf(stats)).toEqual({
      local: 'sha-256 AA:BB',
      remote: 'sha-256 CC:DD',
    });
  });

  it('has none before DTLS is connected or when a certificate is missing', () => {
    const transport = { type: 'transport', id: 'T01', localCertificateId: 'CFlocal' };
    expect(
      dtlsFingerprintsOf(report([...certificates, { ...transport, dtlsState: 'connecting' }])),
    ).toBeNull();
    expect(
      dtlsFingerprintsOf(
        report([
          ...certificates,
          { ...transport, dtlsState: 'connected', remoteCertificateId: 'X' },
        ]),
      ),
    ).toBeNull();
  });
});
