'use client';
import { LIMITS } from '@openwcall/shared';
import { type FormEvent, type ReactNode, useEffect, useState } from 'react';
import type { InviteCheck, ResetCheck } from '../account/api';
import { toAppError } from '../base/errors';
import { AuthScreen } from './auth-screen';
import { errorFor, type FormFailure, formFailure } from './form-error';
import { FormField } from './form-field';
import { useApp } from './hooks';

type Check<T> =
  | { state: 'checking' }
  | { state: 'valid'; value: T }
  | { state: 'invalid'; message: string };

/** Asks the server once whether a link's token still works. */
function useLinkCheck<T>(check: () => Promise<T>, key: string): Check<T> {
  const [result, setResult] = useState<Check<T>>({ state: 'checking' });
  // One check per token: `check` is a new closure on every render.
  useEffect(() => {
    let live = true;
    check().then(
      (value) => live && setResult({ state: 'valid', value }),
      (error: unknown) =>
        live && setResult({ state: 'invalid', message: toAppError(error).message }),
    );
    return () => {
      live = false;
    };
  }, [key]);
  return result;
}

function LinkCard({ title, children }: { title: string; children: ReactNode }) {
  return (
    <main className="page center">
      <div className="card auth-card">
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true" />
          OpenWCall
        </div>
        <h1>{title}</h1>
        {children}
      </div>
    </main>
  );
}

function Checking() {
  return (
    <LinkCard title="Checking your link…">
      <div className="spinner" aria-hidden="true" />
    </LinkCard>
  );
}

/** /invite/<token>: the sign-up form for an invitation, or why the invitation cannot be used. */
export function InviteScreen({ token }: { token: string }) {
  const app = useApp();
  const check = useLinkCheck<InviteCheck>(() => app.links.checkInvite(token), token);
  if (check.state === 'checking') return <Checking />;
  if (check.state === 'invalid') {
    return (
      <LinkCard title="This invitation cannot be used">
        <p className="form-error" role="alert">
          {check.message}
        </p>
        <p className="muted">Ask an admin for a new invitation link.</p>
        <p className="switch-mode">
          Already have an account? <a href="/">Sign in</a>
        </p>
      </LinkCard>
    );
  }
  return <AuthScreen invite={token} />;
}

/** /reset/<token>: sets a new password with a one-time link an admin issued. */
export function ResetScreen({ token }: { token: string }) {
  const app = useApp();
  const check = useLinkCheck<ResetCheck>(() => app.links.checkReset(token), token);
  const [password, setPassword] = useState('');
  const [failure, setFailure] = useState<FormFailure | null>(null);
  const [pending, setPending] = useState(false);
  const [done, setDone] = useState(false);

  if (check.state === 'checking') return <Checking />;
  if (done) {
    return (
      <LinkCard title="Your password has been changed">
        <p className="muted" role="status">
          Every device signed in to this account was signed out. Sign in with your new password.
        </p>
        <a className="button primary" href="/">
          Sign in
        </a>
      </LinkCard>
    );
  }
  if (check.state === 'invalid') {
    return (
      <LinkCard title="This reset link cannot be used">
        <p className="form-error" role="alert">
          {check.message}
        </p>
        <p className="muted">Ask an admin for a new password reset link.</p>
      </LinkCard>
    );
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFailure(null);
    setPending(true);
    try {
      await app.links.resetPassword(token, password);
      setDone(true);
    } catch (error) {
      setFailure(formFailure(error, ['newPassword']));
    } finally {
      setPending(false);
    }
  }

  return (
    <LinkCard title="Set a new password">
      <p className="muted">For {check.value.displayName}. The link works once.</p>
      <form className="stack" onSubmit={submit} aria-busy={pending}>
        <FormField
          label="New password"
          type="password"
          name="newPassword"
          autoComplete="new-password"
          required
          minLength={LIMITS.passwordMin}
          maxLength={LIMITS.passwordMax}
          hint={`At least ${LIMITS.passwordMin} characters.`}
          value={password}
          error={errorFor(failure, 'newPassword')}
          onChange={(e) => setPassword(e.target.value)}
        />
        {failure && failure.field === null ? (
          <p className="form-error" role="alert">
            {failure.message}
          </p>
        ) : null}
        <button type="submit" className="button primary" disabled={pending}>
          {pending ? 'Saving…' : 'Set new password'}
        </button>
      </form>
    </LinkCard>
  );
}
