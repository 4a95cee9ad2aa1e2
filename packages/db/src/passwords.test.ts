import { describe, expect, it } from 'vitest';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from './passwords';

describe('passwords', () => {
  it('hashes with argon2id and verifies', async () => {
    const hash = await hashPassword('correct horse');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(hash, 'correct horse')).toBe(true);
    expect(await verifyPassword(hash, 'correct horse ')).toBe(false);
    expect(await hashPassword('correct horse')).not.toBe(hash); // salted
  });

  it('returns false instead of throwing for malformed hashes', async () => {
    expect(await verifyPassword('not-a-hash', 'x')).toBe(false);
  });

  it('has a dummy hash with the same cost as real ones', async () => {
    const real = await hashPassword('x');
    const params = (h: string) => h.split('$').slice(1, 4).join('$');
    expect(params(DUMMY_PASSWORD_HASH)).toBe(params(real));
    expect(await verifyPassword(DUMMY_PASSWORD_HASH, 'openwcall-demo')).toBe(false);
  });
});
