import { toAppError } from '../base/errors';

/** What a form shows after a failure: next to one of its fields, or above its button. */
export interface FormFailure {
  readonly field: string | null;
  readonly message: string;
}

/**
 * Places a failure: a VALIDATION_FAILED that names a field this form has goes next to that
 * field; everything else is shown for the whole form. `overrides` rewords codes for this form
 * (e.g. INVALID_CREDENTIALS on the account page means the current password is wrong).
 */
export function formFailure(
  error: unknown,
  fields: readonly string[],
  overrides: Partial<Record<string, FormFailure>> = {},
): FormFailure {
  const appError = toAppError(error);
  const override = overrides[appError.code];
  if (override) return override;
  if (appError.field && fields.includes(appError.field)) {
    return { field: appError.field, message: appError.message };
  }
  return { field: null, message: appError.message };
}

export function errorFor(failure: FormFailure | null, field: string): string | null {
  return failure?.field === field ? failure.message : null;
}
