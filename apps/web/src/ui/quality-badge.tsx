'use client';
import { useState, useSyncExternalStore } from 'react';
import { describeQuality, type QualityLevel, type Verdict } from '../quality/measure';
import { useConnection } from './hooks';

const WORD: Record<QualityLevel | 'measuring', string> = {
  good: 'Good',
  fair: 'Fair',
  poor: 'Poor',
  measuring: '…',
};

const BARS: Record<QualityLevel | 'measuring', number> = {
  good: 3,
  fair: 2,
  poor: 1,
  measuring: 0,
};

/**
 * Connection quality at a glance (bars and a word); the figures on hover (title), on focus and
 * on a tap (phones have no hover). Its accessible name says the verdict and the figures.
 */
function QualityBadge({ verdict, subject }: { verdict: Verdict | undefined; subject: string }) {
  const [pinned, setPinned] = useState(false);
  const level = verdict?.level ?? 'measuring';
  const text = describeQuality(verdict, subject);
  return (
    <button
      type="button"
      className={`quality quality-${level}${pinned ? ' quality-pinned' : ''}`}
      data-quality={level}
      aria-label={text}
      aria-pressed={pinned}
      title={text}
      onClick={() => setPinned((p) => !p)}
    >
      <svg aria-hidden="true" className="quality-bars" viewBox="0 0 12 10" width="14" height="12">
        {[0, 1, 2].map((i) => (
          <rect
            key={i}
            x={i * 4.5}
            y={6 - i * 3}
            width="3"
            height={4 + i * 3}
            rx="0.5"
            className={i < BARS[level] ? 'on' : 'off'}
          />
        ))}
      </svg>
      <span className="quality-word" aria-hidden="true">
        {WORD[level]}
      </span>
      <span className="quality-tip" aria-hidden="true">
        {text}
      </span>
    </button>
  );
}

/** The connection to `userId`, both directions. Re-renders only when its own figures change. */
export function PeerQuality({ userId }: { userId: string }) {
  const { quality } = useConnection();
  const read = () => quality.getSnapshot().peers.get(userId);
  const verdict = useSyncExternalStore(quality.subscribe, read, read);
  return <QualityBadge verdict={verdict} subject="Connection" />;
}

/** What the others receive of us: our worst uplink over every peer. */
export function SelfQuality() {
  const { quality } = useConnection();
  const read = () => quality.getSnapshot().self;
  const verdict = useSyncExternalStore(quality.subscribe, read, read);
  if (verdict === null) return null;
  return <QualityBadge verdict={verdict} subject="Your connection" />;
}
