import { describe, expect, it } from 'vitest';
import { AppError } from '../base/errors';
import { errorFor, formFailure } from './form-error';

describe('formFailure (issue 10: sign-up showed "That request was not accepted")', () => {
  const fields = ['email', 'displayName', 'password'];

  it('puts a field-level VALIDATION_FAILED next to the field the server named', () => {
    const failure = formFailure(
      new AppError(
        'VALIDATION_FAILED',
        'displayName: Too small: expected string to have >=1 characters',
      ),
      fields,
    );
    expect(failure).toEqual({
      field: 'displayName',
      message: 'Display name: must not be empty or only spaces.',
    });
    expect(errorFor(failure, 'displayName')).toBe(failure.message);
    expect(errorFor(failure, 'password')).toBeNull();
  });

  it('shows a field this form does not have, and other codes, for the whole form', () => {
    expect(
      formFailure(
        new AppError(
          'VALIDATION_FAILED',
          'invite: Too big: expected string to have <=64 characters',
        ),
        fields,
      ),
    ).toMatchObject({ field: null, message: 'invite: must be at most 64 characters.' });
    expect(formFailure(new AppError('INVITE_REQUIRED'), fields)).toEqual({
      field: null,
      message: 'Sign-up needs an invitation link from an admin.',
    });
    expect(formFailure(new Error('boom'), fields).field).toBeNull();
  });

  it('lets a form reword a code, e.g. a wrong current password', () => {
    const override = { field: 'currentPassword', message: 'The current password is wrong.' };
    expect(
      formFailure(new AppError('INVALID_CREDENTIALS'), ['currentPassword'], {
        INVALID_CREDENTIALS: override,
      }),
    ).toBe(override);
  });
});
