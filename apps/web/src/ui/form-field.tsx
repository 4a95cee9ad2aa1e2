'use client';
import { type InputHTMLAttributes, useId } from 'react';

/**
 * A labelled input whose error (the server's field-level message) sits right under it, is
 * announced when it appears, and is tied to the input with aria-describedby.
 */
export function FormField({
  label,
  error,
  hint,
  ...input
}: {
  label: string;
  error?: string | null | undefined;
  hint?: string;
} & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy || undefined}
        {...input}
      />
      {hint ? (
        <small id={hintId} className="muted">
          {hint}
        </small>
      ) : null}
      {error ? (
        <small id={errorId} className="field-error" role="alert">
          {error}
        </small>
      ) : null}
    </div>
  );
}
