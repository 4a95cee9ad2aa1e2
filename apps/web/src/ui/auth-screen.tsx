'use client';
import { LIMITS } from '@openwcall/shared';
import { type FormEvent, useState } from 'react';
import { useApp } from './hooks';

export function AuthScreen({ notice }: { notice?: string | undefined }) {
  const app = useApp();
  const [mode, setMode] = useState<'sign-in' | 'register'>('sign-in');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const registering = mode === 'register';

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setPending(true);
    try {
      if (registering) await app.session.register({ email, password, displayName });
      else await app.session.signIn({ email, password });
    } catch (err) {
      setError(err instanceof Error ? err.message : 'Something went wrong.');
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
        <h1>{registering ? 'Create your account' : 'Welcome back'}</h1>
        <p className="muted">
          {registering
            ? 'Voice rooms and calls with your team, on your own server.'
            : 'Sign in to see who is around and start talking.'}
        </p>
        {notice ? <p className="inline-notice">{notice}</p> : null}
        <form onSubmit={submit} className="stack" aria-busy={pending}>
          <label className="field">
            <span>Email</span>
            <input
              type="email"
              name="email"
              autoComplete="email"
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          </label>
          {registering ? (
            <label className="field">
              <span>Display name</span>
              <input
                name="displayName"
                autoComplete="nickname"
                required
                maxLength={LIMITS.displayNameMax}
                value={displayName}
                onChange={(e) => setDisplayName(e.target.value)}
              />
            </label>
          ) : null}
          <label className="field">
            <span>Password</span>
            <input
              type="password"
              name="password"
              autoComplete={registering ? 'new-password' : 'current-password'}
              required
              minLength={registering ? LIMITS.passwordMin : undefined}
              maxLength={LIMITS.passwordMax}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
            {registering ? (
              <small className="muted">At least {LIMITS.passwordMin} characters.</small>
            ) : null}
          </label>
          {error ? (
            <p className="form-error" role="alert">
              {error}
            </p>
          ) : null}
          <button type="submit" className="button primary" disabled={pending}>
            {pending ? (registering ? 'Creating account…' : 'Signing in…') : null}
            {pending ? null : registering ? 'Create account' : 'Sign in'}
          </button>
        </form>
        <p className="switch-mode">
          {registering ? 'Already have an account?' : 'New here?'}{' '}
          <button
            type="button"
            className="link-button"
            onClick={() => {
              setMode(registering ? 'sign-in' : 'register');
              setError(null);
            }}
          >
            {registering ? 'Use an existing account' : 'Register a new account'}
          </button>
        </p>
      </div>
    </main>
  );
}
