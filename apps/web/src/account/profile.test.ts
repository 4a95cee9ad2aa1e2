import { describe, expect, it } from 'vitest';
import type { Me } from './api';
import { Profile } from './profile';

const me = (id: string, isAdmin: boolean): Me => ({
  user: { id, displayName: id.toUpperCase() },
  email: `${id}@example.test`,
  isAdmin,
  createdAt: '2026-12-01T10:00:00.000Z',
});

describe('Profile', () => {
  it('says whether the signed-in user is an admin once /me answered', async () => {
    const profile = new Profile({ me: async () => me('ann', true) });
    expect(profile.isAdmin).toBe(false);
    await profile.load();
    expect(profile.isAdmin).toBe(true);
    profile.renamed({ id: 'ann', displayName: 'Annie' });
    expect(profile.getSnapshot()?.user.displayName).toBe('Annie');
    profile.clear();
    expect(profile.getSnapshot()).toBeNull();
  });

  it('drops an answer that arrives after the user signed out (no admin link for the next user)', async () => {
    let answer: (value: Me) => void = () => {};
    const profile = new Profile({ me: () => new Promise<Me>((resolve) => (answer = resolve)) });
    const loading = profile.load();
    profile.clear();
    answer(me('ann', true));
    await loading;
    expect(profile.getSnapshot()).toBeNull();
  });

  it('a failed load leaves no profile and reports the error', async () => {
    const errors: unknown[] = [];
    const profile = new Profile(
      {
        me: async () => {
          throw new Error('down');
        },
      },
      (error) => errors.push(error),
    );
    await profile.load();
    expect(profile.getSnapshot()).toBeNull();
    expect(errors).toHaveLength(1);
  });
});
