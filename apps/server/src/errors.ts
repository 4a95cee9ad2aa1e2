import { ERROR_CATALOG, type ErrorBody, type ErrorCode } from '@openwcall/shared';

/** A failure the client is meant to see: a catalog code and a human message. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;

  constructor(code: ErrorCode, message?: string) {
    super(message ?? ERROR_CATALOG[code].message);
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_CATALOG[code].status;
  }

  toBody(): ErrorBody {
    return { code: this.code, message: this.message };
  }
}

export function errorBody(code: ErrorCode, message?: string): ErrorBody {
  return { code, message: message ?? ERROR_CATALOG[code].message };
}
