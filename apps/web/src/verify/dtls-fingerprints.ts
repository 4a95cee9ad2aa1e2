import type { PeerLink } from '../rtc';
import type { DtlsFingerprints } from './handshake';
import { canonicalFingerprint } from './safety-code';

interface StatsEntry {
  readonly type: string;
  readonly id: string;
  readonly dtlsState?: string;
  readonly localCertificateId?: string;
  readonly remoteCertificateId?: string;
  readonly fingerprint?: string;
  readonly fingerprintAlgorithm?: string;
}

/**
 * The certificates the connection's DTLS session really uses, from `getStats()` (webrtc-stats
 * RTCTransportStats.local/remoteCertificateId → RTCCertificateStats), not from the SDP the
 * signaling server handed over. Null while DTLS is not connected yet.
 */
export function dtlsFingerprintsOf(stats: RTCStatsReport): DtlsFingerprints | null {
  const entries = new Map<string, StatsEntry>();
  stats.forEach((entry: StatsEntry) => {
    entries.set(entry.id, entry);
  });
  for (const transport of entries.values()) {
    if (transport.type !== 'transport' || transport.dtlsState !== 'connected') continue;
    const local = certificate(entries, transport.localCertificateId);
    const remote = certificate(entries, transport.remoteCertificateId);
    if (local && remote) return { local, remote };
  }
  return null;
}

function certificate(entries: Map<string, StatsEntry>, id: string | undefined): string | null {
  const entry = id === undefined ? undefined : entries.get(id);
  if (entry?.type !== 'certificate' || !entry.fingerprint || !entry.fingerprintAlgorithm) {
    return null;
  }
  return canonicalFingerprint(entry.fingerprintAlgorithm, entry.fingerprint);
}

/**
 * Reads them once the data channel is open (SCTP runs inside DTLS, so it is connected), with a
 * few retries for a stats snapshot taken a moment before the transport entry caught up.
 */
export async function readDtlsFingerprints(
  link: Pick<PeerLink, 'getStats'>,
  { attempts = 20, intervalMs = 100 } = {},
): Promise<DtlsFingerprints> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const found = dtlsFingerprintsOf(await link.getStats());
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error('no DTLS certificates in the connection statistics');
}
