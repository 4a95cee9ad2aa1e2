import { hash, verify } from '@node-rs/argon2';

// argon2id (the library default, algorithm 2) with OWASP's minimum profile: 19 MiB,
// 2 passes, 1 lane. Parameters are encoded in each hash, so raising them later only
// affects new hashes.
const OPTIONS = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(plain: string): Promise<string> {
  return hash(plain, OPTIONS);
}

/** False (never a throw) for a wrong password or a malformed hash. */
export async function verifyPassword(passwordHash: string, plain: string): Promise<boolean> {
  try {
    return await verify(passwordHash, plain);
  } catch {
    return false;
  }
}

/**
 * A valid hash of a random, discarded password, with the same parameters as
 * hashPassword(). Verify against it when the account does not exist, so a login for an
 * unknown email costs the same time as one for a known email.
 */
export const DUMMY_PASSWORD_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$+KyHSF/Y169D1fZBs7zWKQ$aYVUiyBnnTh/CYspmTcbz4+nBQ15NfRAi/PynYW4K2A';
