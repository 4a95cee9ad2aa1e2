'use client';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import type { AdminUser, AuditEntry, Invite, UserAction } from '../admin/api';
import { auditText, inviteState } from '../admin/describe';
import { toAppError } from '../base/errors';
import { formatTime } from './account-page';
import { useApp, useStore } from './hooks';

interface AdminData {
  readonly users: AdminUser[];
  readonly invites: Invite[];
  readonly audit: AuditEntry[];
}

/** /admin: accounts, invitations and what admins did. Only admins get answers from the server. */
export function AdminPage() {
  const app = useApp();
  const [data, setData] = useState<AdminData | null>(null);
  const [error, setError] = useState<string | null>(null);

  const reload = useCallback(async () => {
    try {
      const [users, invites, audit] = await Promise.all([
        app.admin.users(),
        app.admin.invites(),
        app.admin.audit(),
      ]);
      setData({ users, invites, audit });
      setError(null);
    } catch (err) {
      const appError = toAppError(err);
      setError(
        appError.code === 'FORBIDDEN' ? 'Only admins can open this page.' : appError.message,
      );
    }
  }, [app]);
  useEffect(() => {
    void reload();
  }, [reload]);

  return (
    <main className="page admin-page">
      <h1>Admin</h1>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      {data === null && !error ? (
        <p className="muted" aria-busy="true">
          Loading…
        </p>
      ) : null}
      {data ? (
        <div className="admin-sections">
          <UsersSection users={data.users} reload={reload} />
          <InvitesSection invites={data.invites} reload={reload} />
          <AuditSection entries={data.audit} />
        </div>
      ) : null}
    </main>
  );
}

function UsersSection({ users, reload }: { users: AdminUser[]; reload: () => Promise<void> }) {
  const app = useApp();
  const session = useStore(app.session);
  const selfId = session.status === 'signed-in' ? session.user.id : null;
  const [error, setError] = useState<string | null>(null);
  const [resetLink, setResetLink] = useState<{
    name: string;
    url: string;
    expiresAt: string;
  } | null>(null);

  async function act(user: AdminUser, action: UserAction) {
    setError(null);
    try {
      await app.admin.act(user.id, action);
      await reload();
    } catch (err) {
      setError(toAppError(err).message);
    }
  }

  async function issueResetLink(user: AdminUser) {
    setError(null);
    try {
      const link = await app.admin.resetLink(user.id);
      setResetLink({ name: user.displayName, ...link });
      await reload();
    } catch (err) {
      setError(toAppError(err).message);
    }
  }

  return (
    <section className="card" aria-labelledby="users-heading">
      <h2 id="users-heading">Users</h2>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      {resetLink ? (
        <CopyLink
          label={`Password reset link for ${resetLink.name}`}
          url={resetLink.url}
          note={`Works once, until ${formatTime(resetLink.expiresAt)}. Send it to ${resetLink.name} yourself.`}
        />
      ) : null}
      <ul className="list">
        {users.map((user) => (
          <li key={user.id} className="row admin-row">
            <div className="row-main">
              <span className="row-title">
                {user.displayName}
                {user.isAdmin ? <span className="badge badge-host">Admin</span> : null}
                {user.disabled ? <span className="badge badge-muted">Disabled</span> : null}
              </span>
              <span className="row-sub">
                <span>{user.email}</span>
                <span className={user.online ? 'status-text status-online' : undefined}>
                  {user.online ? 'Online' : 'Offline'}
                </span>
                <span>Joined {formatTime(user.createdAt)}</span>
                <span>Last seen {user.lastSeenAt ? formatTime(user.lastSeenAt) : 'never'}</span>
              </span>
            </div>
            <div className="admin-actions">
              {user.id === selfId ? (
                <span className="muted small">You</span>
              ) : (
                <>
                  {user.disabled ? (
                    <button
                      type="button"
                      className="button small"
                      aria-label={`Enable ${user.displayName}`}
                      onClick={() => void act(user, 'enable')}
                    >
                      Enable
                    </button>
                  ) : (
                    <button
                      type="button"
                      className="button small danger"
                      aria-label={`Disable ${user.displayName}`}
                      onClick={() => void act(user, 'disable')}
                    >
                      Disable
                    </button>
                  )}
                  {user.isAdmin ? (
                    <button
                      type="button"
                      className="button small ghost"
                      aria-label={`Remove admin rights from ${user.displayName}`}
                      disabled={user.adminByConfig}
                      title={
                        user.adminByConfig
                          ? 'Admin by ADMIN_EMAILS in the server configuration'
                          : undefined
                      }
                      onClick={() => void act(user, 'demote')}
                    >
                      Remove admin
                    </button>
                  ) : (
                    <button
                      type="button"
                      className="button small ghost"
                      aria-label={`Make ${user.displayName} an admin`}
                      onClick={() => void act(user, 'promote')}
                    >
                      Make admin
                    </button>
                  )}
                </>
              )}
              <button
                type="button"
                className="button small ghost"
                aria-label={`Reset password for ${user.displayName}`}
                onClick={() => void issueResetLink(user)}
              >
                Reset password
              </button>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

const USES = [
  { value: '1', label: 'Once' },
  { value: '5', label: '5 people' },
  { value: '25', label: '25 people' },
  { value: 'unlimited', label: 'Any number of people' },
] as const;
const EXPIRY = [
  { value: '24', label: '1 day' },
  { value: '168', label: '7 days' },
  { value: '720', label: '30 days' },
  { value: '1', label: '1 hour' },
] as const;

function InvitesSection({ invites, reload }: { invites: Invite[]; reload: () => Promise<void> }) {
  const app = useApp();
  const [uses, setUses] = useState<string>('1');
  const [hours, setHours] = useState<string>('24');
  const [created, setCreated] = useState<Invite | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function create(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setPending(true);
    try {
      const invite = await app.admin.createInvite({
        maxUses: uses === 'unlimited' ? null : Number(uses),
        expiresInHours: Number(hours),
      });
      setCreated(invite);
      await reload();
    } catch (err) {
      setError(toAppError(err).message);
    } finally {
      setPending(false);
    }
  }

  async function revoke(invite: Invite) {
    setError(null);
    try {
      await app.admin.revokeInvite(invite.id);
      await reload();
    } catch (err) {
      setError(toAppError(err).message);
    }
  }

  const now = Date.now();
  return (
    <section className="card" aria-labelledby="invites-heading">
      <h2 id="invites-heading">Invitations</h2>
      <form className="invite-form" onSubmit={create} aria-busy={pending}>
        <label className="inline-field">
          <span>Can be used</span>
          <select value={uses} onChange={(e) => setUses(e.target.value)}>
            {USES.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </label>
        <label className="inline-field">
          <span>Expires in</span>
          <select value={hours} onChange={(e) => setHours(e.target.value)}>
            {EXPIRY.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="button primary" disabled={pending}>
          Create invite link
        </button>
      </form>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      {created?.url ? (
        <CopyLink
          label="New invite link"
          url={created.url}
          note="Shown only now: copy it and send it to the people you invite."
        />
      ) : null}
      {invites.length === 0 ? (
        <p className="muted">No invitations yet.</p>
      ) : (
        <ul className="list">
          {invites.map((invite) => {
            const state = inviteState(invite, now);
            const title = `Invitation of ${formatTime(invite.createdAt)}`;
            return (
              <li key={invite.id} className="row">
                <div className="row-main">
                  <span className="row-title">{title}</span>
                  <span className="row-sub">
                    <span className={state === 'active' ? 'status-text status-online' : undefined}>
                      {INVITE_STATE_TEXT[state]}
                    </span>
                    <span>
                      Used {invite.uses}
                      {invite.maxUses === null ? '' : ` of ${invite.maxUses}`}
                    </span>
                    <span>Expires {formatTime(invite.expiresAt)}</span>
                    {invite.createdBy ? <span>by {invite.createdBy.displayName}</span> : null}
                  </span>
                </div>
                {state === 'active' ? (
                  <button
                    type="button"
                    className="button small ghost"
                    aria-label={`Revoke ${title.toLowerCase()}`}
                    onClick={() => void revoke(invite)}
                  >
                    Revoke
                  </button>
                ) : null}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

const INVITE_STATE_TEXT = {
  active: 'Active',
  'used-up': 'Used up',
  expired: 'Expired',
  revoked: 'Revoked',
} as const;

function AuditSection({ entries }: { entries: AuditEntry[] }) {
  return (
    <section className="card" aria-labelledby="audit-heading">
      <h2 id="audit-heading">Admin actions</h2>
      {entries.length === 0 ? (
        <p className="muted">Nothing yet.</p>
      ) : (
        <ol className="list">
          {entries.map((entry) => (
            <li key={entry.id} className="row">
              <div className="row-main">
                <span>{auditText(entry)}</span>
                <span className="row-sub">
                  <time dateTime={entry.createdAt}>{formatTime(entry.createdAt)}</time>
                  {entry.detail ? <span>{entry.detail}</span> : null}
                </span>
              </div>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

/** A link to hand to someone: selectable text and a copy button (clipboard needs https). */
function CopyLink({ label, url, note }: { label: string; url: string; note: string }) {
  const [copied, setCopied] = useState<string | null>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(url);
      setCopied('Copied.');
    } catch {
      setCopied('Copying is not allowed here; select the link and copy it.');
    }
  }
  return (
    <div className="copy-link">
      <label className="field">
        <span>{label}</span>
        <input readOnly value={url} onFocus={(e) => e.currentTarget.select()} />
      </label>
      <div className="copy-link-actions">
        <button type="button" className="button small" onClick={() => void copy()}>
          Copy link
        </button>
        <span className="muted small" role="status">
          {copied ?? note}
        </span>
      </div>
    </div>
  );
}
