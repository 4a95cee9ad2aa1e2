'use client';
import { LIMITS } from '@openwcall/shared';
import { type FormEvent, useEffect, useState } from 'react';
import type { Registration } from '../auth/api';
import { errorFor, type FormFailure, formFailure } from './form-error';
import { FormField } from './form-field';
import { useApp } from './hooks';

const REGISTER_FIELDS = ['email', 'displayName', 'password'] as const;

/** What the sign-in screen says about signing up, per the server's REGISTRATION. */
export const SIGN_UP_TEXT: Record<Exclude<Registration, 'open'>, string> = {
  invite: 'An invitation is needed to sign up. Ask an admin for an invitation link.',
  closed: 'Sign-up is closed on this server; ask an admin for an account.',
};

/** The server's REGISTRATION, or null until it answered (an old server without it: open). */
function useRegistration(skip: boolean): Registration | null {
  const app = useApp();
  const [registration, setRegistration] = useState<Registration | null>(null);
  useEffect(() => {
    if (skip) return;
    let live = true;
    app.api.registration().then(
      (mode) => live && setRegistration(mode),
      () => live && setRegistration('open'),
    );
    return () => {
      live = false;
    };
  }, [app, skip]);
  return registration;
}

/**
 * Sign in, or sign up where the server allows it. With `invite` (the token of an invitation
 * link) the screen only signs up, and the server counts the sign-up against that invitation.
 */
export function AuthScreen({
  notice,
  invite,
}: {
  notice?: string | undefined;
  invite?: string | undefined;
}) {
  const app = useApp();
  const registration = useRegistration(invite !== undefined);
  const [mode, setMode] = useState<'sign-in' | 'register'>(invite ? 'register' : 'sign-in');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [failure, setFailure] = useState<FormFailure | null>(null);
  const [pending, setPending] = useState(false);
  const registering = mode === 'register';
  const canSwitch = invite === undefined && registration === 'open';

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFailure(null);
    setPending(true);
    try {
      if (registering) {
        await app.session.register({ email, password, displayName, ...(invite ? { invite } : {}) });
      } else await app.session.signIn({ email, password });
    } catch (err) {
      setFailure(formFailure(err, registering ? REGISTER_FIELDS : []));
    } finally {
      setPending(false);
    }
  }

  return (
    <main className="page center">
      <div className="card auth-card">
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true" />
          OpenWCall
        </div>
        <h1>{invite ? 'You are invited' : registering ? 'Create your account' : 'Welcome back'}</h1>
        <p className="muted">
          {registering
            ? 'Voice rooms and calls with your team, on your own server.'
            : 'Sign in to see who is around and start talking.'}
        </p>
        {notice ? (
          <p className="inline-notice" role="status">
            {notice}
          </p>
        ) : null}
        <form onSubmit={submit} className="stack" aria-busy={pending}>
          <FormField
            label="Email"
            type="email"
            name="email"
            autoComplete="email"
            required
            value={email}
            error={errorFor(failure, 'email')}
            onChange={(e) => setEmail(e.target.value)}
          />
          {registering ? (
            <FormField
              label="Display name"
              name="displayName"
              autoComplete="nickname"
              required
              maxLength={LIMITS.displayNameMax}
              value={displayName}
              error={errorFor(failure, 'displayName')}
              onChange={(e) => setDisplayName(e.target.value)}
            />
          ) : null}
          <FormField
            label="Password"
            type="password"
            name="password"
            autoComplete={registering ? 'new-password' : 'current-password'}
            required
            minLength={registering ? LIMITS.passwordMin : undefined}
            maxLength={LIMITS.passwordMax}
            value={password}
            error={errorFor(failure, 'password')}
            {...(registering ? { hint: `At least ${LIMITS.passwordMin} characters.` } : {})}
            onChange={(e) => setPassword(e.target.value)}
          />
          {failure && failure.field === null ? (
            <p className="form-error" role="alert">
              {failure.message}
            </p>
          ) : null}
          <button type="submit" className="button primary" disabled={pending}>
            {pending ? (registering ? 'Creating account…' : 'Signing in…') : null}
            {pending ? null : registering ? 'Create account' : 'Sign in'}
          </button>
        </form>
        {canSwitch ? (
          <p className="switch-mode">
            {registering ? 'Already have an account?' : 'New here?'}{' '}
            <button
              type="button"
              className="link-button"
              onClick={() => {
                setMode(registering ? 'sign-in' : 'register');
                setFailure(null);
              }}
            >
              {registering ? 'Use an existing account' : 'Register a new account'}
            </button>
          </p>
        ) : null}
        {invite ? (
          <p className="switch-mode">
            Already have an account? <a href="/">Sign in</a>
          </p>
        ) : null}
        {registration === 'invite' || registration === 'closed' ? (
          <p className="switch-mode">{SIGN_UP_TEXT[registration]}</p>
        ) : null}
      </div>
    </main>
  );
}
