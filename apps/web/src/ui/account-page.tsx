'use client';
import { LIMITS } from '@openwcall/shared';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import type { Device } from '../account/api';
import { describeDevice } from '../account/devices';
import { toAppError } from '../base/errors';
import { errorFor, type FormFailure, formFailure } from './form-error';
import { FormField } from './form-field';
import { useApp, useStore } from './hooks';

/** /account: the signed-in person's name, password and signed-in devices. */
export function AccountPage() {
  return (
    <main className="page account-page">
      <h1>Your account</h1>
      <div className="lobby">
        <ProfileSection />
        <PasswordSection />
        <DevicesSection />
      </div>
    </main>
  );
}

function ProfileSection() {
  const app = useApp();
  const session = useStore(app.session);
  const profile = useStore(app.profile);
  const current = session.status === 'signed-in' ? session.user.displayName : '';
  const [name, setName] = useState(current);
  const [failure, setFailure] = useState<FormFailure | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFailure(null);
    setSaved(null);
    setPending(true);
    try {
      const user = await app.account.rename(name);
      app.session.updateUser(user);
      app.profile.renamed(user);
      setName(user.displayName);
      setSaved(`Saved. Others see you as ${user.displayName}.`);
    } catch (error) {
      setFailure(formFailure(error, ['displayName']));
    } finally {
      setPending(false);
    }
  }

  return (
    <section className="card" aria-labelledby="profile-heading">
      <h2 id="profile-heading">Profile</h2>
      {profile ? <p className="muted small">Signed in as {profile.email}</p> : null}
      <form className="stack" onSubmit={submit} aria-busy={pending}>
        <FormField
          label="Display name"
          name="displayName"
          autoComplete="nickname"
          required
          maxLength={LIMITS.displayNameMax}
          value={name}
          error={errorFor(failure, 'displayName')}
          onChange={(e) => setName(e.target.value)}
        />
        <FormFailureText failure={failure} />
        {saved ? (
          <p className="muted" role="status">
            {saved}
          </p>
        ) : null}
        <button type="submit" className="button primary" disabled={pending}>
          {pending ? 'Saving…' : 'Save name'}
        </button>
      </form>
    </section>
  );
}

function PasswordSection() {
  const app = useApp();
  const [currentPassword, setCurrent] = useState('');
  const [newPassword, setNew] = useState('');
  const [failure, setFailure] = useState<FormFailure | null>(null);
  const [saved, setSaved] = useState(false);
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFailure(null);
    setSaved(false);
    setPending(true);
    try {
      await app.account.changePassword(currentPassword, newPassword);
      setCurrent('');
      setNew('');
      setSaved(true);
    } catch (error) {
      setFailure(
        formFailure(error, ['currentPassword', 'newPassword'], {
          INVALID_CREDENTIALS: {
            field: 'currentPassword',
            message: 'The current password is wrong.',
          },
        }),
      );
    } finally {
      setPending(false);
    }
  }

  return (
    <section className="card" aria-labelledby="password-heading">
      <h2 id="password-heading">Password</h2>
      <form className="stack" onSubmit={submit} aria-busy={pending}>
        <FormField
          label="Current password"
          type="password"
          name="currentPassword"
          autoComplete="current-password"
          required
          maxLength={LIMITS.passwordMax}
          value={currentPassword}
          error={errorFor(failure, 'currentPassword')}
          onChange={(e) => setCurrent(e.target.value)}
        />
        <FormField
          label="New password"
          type="password"
          name="newPassword"
          autoComplete="new-password"
          required
          minLength={LIMITS.passwordMin}
          maxLength={LIMITS.passwordMax}
          hint={`At least ${LIMITS.passwordMin} characters.`}
          value={newPassword}
          error={errorFor(failure, 'newPassword')}
          onChange={(e) => setNew(e.target.value)}
        />
        <FormFailureText failure={failure} />
        {saved ? (
          <p className="muted" role="status">
            Password changed. Your other devices were signed out.
          </p>
        ) : null}
        <button type="submit" className="button primary" disabled={pending}>
          {pending ? 'Changing…' : 'Change password'}
        </button>
      </form>
    </section>
  );
}

function DevicesSection() {
  const app = useApp();
  const [devices, setDevices] = useState<Device[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  const load = useCallback(async () => {
    try {
      setDevices(await app.account.devices());
      setError(null);
    } catch (err) {
      setError(toAppError(err).message);
    }
  }, [app]);
  useEffect(() => {
    void load();
  }, [load]);

  async function signOutDevice(id: string) {
    try {
      await app.account.signOutDevice(id);
      await load();
    } catch (err) {
      setError(toAppError(err).message);
    }
  }

  async function signOutEverywhere() {
    setPending(true);
    try {
      await app.session.signOutEverywhere();
    } catch (err) {
      setError(toAppError(err).message);
      setPending(false);
    }
  }

  return (
    <section className="card" aria-labelledby="devices-heading">
      <h2 id="devices-heading">Signed-in devices</h2>
      {devices === null && !error ? (
        <p className="muted" aria-busy="true">
          Loading your devices…
        </p>
      ) : null}
      {devices ? (
        <ul className="list">
          {devices.map((device) => {
            const label = describeDevice(device.userAgent);
            return (
              <li key={device.id} className="row">
                <div className="row-main">
                  <span className="row-title">
                    {label}
                    {device.current ? <span className="badge badge-host">This device</span> : null}
                  </span>
                  <span className="row-sub">
                    {device.ip ? <span>{device.ip}</span> : null}
                    <span>Last used {formatTime(device.lastUsedAt)}</span>
                  </span>
                </div>
                {device.current ? null : (
                  <button
                    type="button"
                    className="button small"
                    aria-label={`Sign out ${label}, last used ${formatTime(device.lastUsedAt)}`}
                    onClick={() => void signOutDevice(device.id)}
                  >
                    Sign out
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      ) : null}
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <p className="muted small">
        Signs out every device, this one included, and ends their calls.
      </p>
      <button
        type="button"
        className="button danger"
        disabled={pending}
        onClick={() => void signOutEverywhere()}
      >
        Sign out everywhere
      </button>
    </section>
  );
}

function FormFailureText({ failure }: { failure: FormFailure | null }) {
  if (!failure || failure.field !== null) return null;
  return (
    <p className="form-error" role="alert">
      {failure.message}
    </p>
  );
}

export function formatTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
