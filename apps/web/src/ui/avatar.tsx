import type { PresenceStatus } from '@openwcall/shared';

function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? `${parts[0]?.[0]}${parts[1]?.[0]}` : name.slice(0, 2);
  return letters.toUpperCase();
}

// A stable hue per name, so people are easy to tell apart at a glance.
function hue(name: string): number {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) % 360;
  return hash;
}

export function Avatar({
  name,
  status,
  speaking = false,
  size = 'small',
}: {
  name: string;
  status?: PresenceStatus | undefined;
  speaking?: boolean;
  size?: 'small' | 'large';
}) {
  return (
    <span
      className={`avatar avatar-${size}${speaking ? ' speaking' : ''}`}
      style={{ '--hue': hue(name) } as React.CSSProperties}
      aria-hidden="true"
    >
      {initials(name)}
      {status ? <span className={`presence-dot status-${status}`} /> : null}
    </span>
  );
}
