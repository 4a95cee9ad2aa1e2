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
