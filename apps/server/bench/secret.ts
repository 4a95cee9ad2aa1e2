/** The JWT secret the bench server uses, so the bench can mint tokens without registering. */
export const BENCH_JWT_SECRET = 'bench-secret-that-is-long-enough-for-hs256-0123456789';
