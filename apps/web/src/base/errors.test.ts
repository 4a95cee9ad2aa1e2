import { describe, expect, it } from 'vitest';
import { AppError, fieldError } from './errors';

describe('field-level VALIDATION_FAILED', () => {
  it('an all-spaces room name names the field instead of the generic text', () => {
    const error = new AppError(
      'VALIDATION_FAILED',
      'name: Too small: expected string to have >=1 characters',
    );
    expect(error.field).toBe('name');
    expect(error.message).toBe('Room name: must not be empty or only spaces.');
    expect(error.message).not.toMatch(/not accepted/);
  });

  it('sign-up shows the failing field with its limit', () => {
    const error = new AppError(
      'VALIDATION_FAILED',
      'password: Too small: expected string to have >=8 characters',
    );
    expect(error.field).toBe('password');
    expect(error.message).toBe('Password: must be at least 8 characters.');
    expect(
      new AppError('VALIDATION_FAILED', 'displayName: Must not contain control characters.')
        .message,
    ).toBe('Display name: must not contain control characters.');
    expect(
      fieldError('VALIDATION_FAILED', 'name: Too big: expected string to have <=64 characters'),
    ).toEqual({
      field: 'name',
      message: 'Room name: must be at most 64 characters.',
    });
  });

  it('keeps the catalog wording when no field is named, and for other codes', () => {
    expect(new AppError('VALIDATION_FAILED', 'The request is malformed.').field).toBeUndefined();
    expect(new AppError('VALIDATION_FAILED').message).toMatch(/not accepted/);
    expect(new AppError('ROOM_FULL', 'name: x').message).toBe('That room is full.');
    expect(fieldError('ROOM_FULL', 'name: x')).toBeNull();
  });
});

describe('messages the server words in detail', () => {
  it('an invitation or reset link says which problem it has', () => {
    expect(new AppError('INVITE_INVALID', 'This invitation link has been used up.').message).toBe(
      'This invitation link has been used up.',
    );
    expect(new AppError('RESET_LINK_INVALID', 'This reset link has expired.').message).toBe(
      'This reset link has expired.',
    );
    expect(new AppError('INVITE_INVALID').message).toMatch(/invitation/);
    // Other codes keep the wording written for people.
    expect(new AppError('ROOM_FULL', 'room r1 has 6 of 6').message).toBe('That room is full.');
  });
});
