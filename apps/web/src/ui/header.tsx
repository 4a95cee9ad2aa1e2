'use client';
import type { PresenceStatus } from '@openwcall/shared';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { Avatar } from './avatar';
import { useAction, useApp, useConnection, useStore } from './hooks';

const CONNECTION_LABEL = {
  idle: 'Connecting…',
  connecting: 'Connecting…',
  authenticating: 'Connecting…',
  ready: 'Connected',
  reconnecting: 'Reconnecting…',
  closed: 'Offline',
} as const;

export function Header() {
  const app = useApp();
  const connection = useConnection();
  const session = useStore(app.session);
  const profile = useStore(app.profile);
  const pathname = usePathname();
  const signaling = useStore(connection.signaling);
  const lobby = useStore(connection.lobby);
  const run = useAction();
  const user = session.status === 'signed-in' ? session.user : null;
  const own = lobby.people.find((p) => p.userId === user?.id);
  const status: PresenceStatus = own?.status ?? 'online';

  return (
    <header className="topbar">
      <Link
        href="/"
        className="brand brand-link"
        aria-current={pathname === '/' ? 'page' : undefined}
      >
        <span className="brand-mark" aria-hidden="true" />
        <span className="brand-name">OpenWCall</span>
      </Link>
      <span className={`conn conn-${signaling.status}`} role="status" aria-live="polite">
        <span className="dot" aria-hidden="true" />
        <span className="conn-text">{CONNECTION_LABEL[signaling.status]}</span>
      </span>
      <div className="topbar-right">
        {user ? (
          <span className="me">
            <Avatar name={user.displayName} status={status} />
            <span className="me-name">{user.displayName}</span>
          </span>
        ) : null}
        <label className="inline-field status-field">
          <span className="field-label">Status</span>
          <select
            value={status === 'offline' ? 'online' : status}
            disabled={signaling.status !== 'ready'}
            onChange={(e) =>
              run(() => connection.lobby.setStatus(e.target.value as 'online' | 'away' | 'busy'))
            }
          >
            <option value="online">Online</option>
            <option value="away">Away</option>
            <option value="busy">Busy (no calls)</option>
          </select>
        </label>
        <nav aria-label="Account" className="topbar-nav">
          <Link href="/account" aria-current={pathname === '/account' ? 'page' : undefined}>
            Account
          </Link>
          {profile?.isAdmin ? (
            <Link href="/admin" aria-current={pathname === '/admin' ? 'page' : undefined}>
              Admin
            </Link>
          ) : null}
        </nav>
        <button
          type="button"
          className="button ghost sign-out"
          onClick={() => app.session.signOut()}
        >
          Sign out
        </button>
      </div>
    </header>
  );
}
