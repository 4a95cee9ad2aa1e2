const UNITS: ReadonlyArray<readonly [Intl.RelativeTimeFormatUnit, number]> = [
  ['minute', 60],
  ['hour', 60 * 60],
  ['day', 24 * 60 * 60],
];

const format = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/**
 * "just now", "5 minutes ago", "3 hours ago", "yesterday", "4 days ago"; older than a week, the
 * date. Call history is read at a glance, so the unit is the largest that fits.
 */
export function relativeTime(thenMs: number, nowMs: number): string {
  const seconds = Math.max(0, Math.round((nowMs - thenMs) / 1000));
  if (seconds < 60) return 'just now';
  if (seconds >= 7 * 24 * 60 * 60) {
    return new Date(thenMs).toLocaleDateString('en', {
      day: 'numeric',
      month: 'short',
      year: 'numeric',
    });
  }
  let unit: Intl.RelativeTimeFormatUnit = 'minute';
  let size = 60;
  for (const [name, length] of UNITS) {
    if (seconds >= length) {
      unit = name;
      size = length;
    }
  }
  return format.format(-Math.floor(seconds / size), unit);
}
