import type { AuthResponse } from '@openwcall/shared';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AppError } from '../base/errors';
import { Session, type SessionBus, type SessionMessage } from './session';

const user = { id: 'u1', displayName: 'Ann' };

function response(n: number, expiresIn = 900): AuthResponse {
  return { accessToken: `access-${n}`, refreshToken: `refresh-${n}`, expiresIn, user };
}

function fakeApi() {
  let n = 0;
  return {
    login: vi.fn(async () => response(++n)),
    register: vi.fn(async () => response(++n)),
    refresh: vi.fn(async () => response(++n)),
    logout: vi.fn(async () => {}),
  };
}

function fakeBus() {
  const listeners = new Set<(m: SessionMessage) => void>();
  const bus: SessionBus & { sent: SessionMessage[] } = {
    sent: [],
    post: (m) => bus.sent.push(m),
    subscribe: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  const deliver = (m: SessionMessage) => {
    for (const listener of listeners) listener(m);
  };
  return { bus, deliver };
}

describe('Session', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('restores the login from the refresh cookie on load', async () => {
    const api = fakeApi();
    const session = new Session({ api });
    expect(session.getSnapshot()).toEqual({ status: 'loading' });
    await session.restore();
    expect(session.getSnapshot()).toEqual({ status: 'signed-in', user });
    await expect(session.getAccessToken()).resolves.toBe('access-1');
  });

  it('is signed out after load when there is no valid refresh token', async () => {
    const api = fakeApi();
    api.refresh.mockRejectedValueOnce(new AppError('UNAUTHENTICATED'));
    const session = new Session({ api });
    await session.restore();
    expect(session.getSnapshot()).toEqual({ status: 'signed-out' });
    await expect(session.getAccessToken()).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('refreshes ahead of expiry and hands out the new token', async () => {
    const api = fakeApi();
    const session = new Session({ api });
    await session.signIn({ email: 'a@example.org', password: 'pw' });
    expect(api.refresh).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(900_000 - 60_000);
    expect(api.refresh).toHaveBeenCalledTimes(1);
    await expect(session.getAccessToken()).resolves.toBe('access-2');
  });

  it('refreshes on demand when the token is about to expire, once for concurrent callers', async () => {
    const api = fakeApi();
    const session = new Session({ api });
    api.login.mockResolvedValueOnce(response(0, 10));
    await session.signIn({ email: 'a@example.org', password: 'pw' });
    const [a, b] = await Promise.all([session.getAccessToken(), session.getAccessToken()]);
    expect(a).toBe('access-1');
    expect(b).toBe('access-1');
    expect(api.refresh).toHaveBeenCalledTimes(1);
  });

  it('signs out when the refresh token was revoked, with a message', async () => {
    const api = fakeApi();
    const session = new Session({ api });
    await session.signIn({ email: 'a@example.org', password: 'pw' });
    api.refresh.mockRejectedValueOnce(new AppError('UNAUTHENTICATED'));
    await expect(session.refresh()).rejects.toBeInstanceOf(AppError);
    expect(session.getSnapshot()).toMatchObject({ status: 'signed-out' });
    expect(session.getSnapshot()).toHaveProperty('notice');
  });

  it('keeps the login and retries later when the server is unreachable', async () => {
    const api = fakeApi();
    const session = new Session({ api, retryMs: 5_000 });
    await session.signIn({ email: 'a@example.org', password: 'pw' });
    api.refresh.mockRejectedValueOnce(new AppError('NETWORK'));
    await expect(session.refresh()).rejects.toMatchObject({ code: 'NETWORK' });
    expect(session.getSnapshot().status).toBe('signed-in');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(api.refresh).toHaveBeenCalledTimes(2);
  });

  it('uses a token another tab refreshed while this one waited for the lock', async () => {
    const api = fakeApi();
    const { bus, deliver } = fakeBus();
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const session = new Session({
      api,
      bus,
      withLock: async (task) => {
        await held;
        return task();
      },
    });
    const pending = session.refresh();
    deliver({
      type: 'token',
      accessToken: 'from-other-tab',
      expiresAt: Date.now() + 900_000,
      user,
    });
    release();
    await expect(pending).resolves.toBe('from-other-tab');
    expect(api.refresh).not.toHaveBeenCalled();
  });

  it('tells other tabs about new tokens and sign-out, and follows theirs', async () => {
    const api = fakeApi();
    const { bus, deliver } = fakeBus();
    const session = new Session({ api, bus });
    await session.signIn({ email: 'a@example.org', password: 'pw' });
    expect(bus.sent[0]).toMatchObject({ type: 'token', accessToken: 'access-1' });
    deliver({ type: 'signed-out' });
    expect(session.getSnapshot().status).toBe('signed-out');

    await session.signIn({ email: 'a@example.org', password: 'pw' });
    await session.signOut();
    expect(bus.sent.at(-1)).toEqual({ type: 'signed-out' });
    expect(api.logout).toHaveBeenCalledTimes(1);
    expect(session.getSnapshot()).toEqual({ status: 'signed-out' });
  });

  it('a disabled account is signed out with the admin notice; a revoked login with "You were signed out"', async () => {
    const api = fakeApi();
    const session = new Session({ api });
    await session.signIn({ email: 'a@example.org', password: 'pw' });
    api.refresh.mockRejectedValueOnce(new AppError('ACCOUNT_DISABLED'));
    await expect(session.refresh()).rejects.toMatchObject({ code: 'ACCOUNT_DISABLED' });
    expect(session.getSnapshot()).toEqual({
      status: 'signed-out',
      notice: 'This account has been disabled by an admin.',
    });

    await session.signIn({ email: 'a@example.org', password: 'pw' });
    session.endedByServer('UNAUTHENTICATED');
    expect(session.getSnapshot()).toEqual({
      status: 'signed-out',
      notice: 'You were signed out. Please sign in again.',
    });
    // The socket's reason arriving after the refresh's keeps the more specific disabled notice.
    session.endedByServer('ACCOUNT_DISABLED');
    session.endedByServer('UNAUTHENTICATED');
    expect(session.getSnapshot()).toMatchObject({ notice: expect.stringMatching(/disabled/) });
  });

  it('tells token listeners about every new token (this tab or another) until they unsubscribe', async () => {
    const api = fakeApi();
    const { bus, deliver } = fakeBus();
    const session = new Session({ api, bus });
    const tokens: string[] = [];
    const unsubscribe = session.onToken((token) => tokens.push(token));
    await session.signIn({ email: 'a@example.org', password: 'pw' });
    await vi.advanceTimersByTimeAsync(900_000 - 60_000);
    deliver({
      type: 'token',
      accessToken: 'from-other-tab',
      expiresAt: Date.now() + 900_000,
      user,
    });
    unsubscribe();
    await session.refresh();
    expect(tokens).toEqual(['access-1', 'access-2', 'from-other-tab']);
  });

  it('signs out everywhere only once the server agreed', async () => {
    const api = fakeApi();
    const { bus } = fakeBus();
    const endAllLogins = vi.fn(async (_token: string) => {});
    const session = new Session({ api, bus, endAllLogins });
    await session.signIn({ email: 'a@example.org', password: 'pw' });
    endAllLogins.mockRejectedValueOnce(new AppError('NETWORK'));
    await expect(session.signOutEverywhere()).rejects.toMatchObject({ code: 'NETWORK' });
    expect(session.getSnapshot().status).toBe('signed-in');
    await session.signOutEverywhere();
    expect(endAllLogins).toHaveBeenLastCalledWith('access-1');
    expect(session.getSnapshot()).toEqual({ status: 'signed-out' });
    expect(bus.sent.at(-1)).toEqual({ type: 'signed-out' });
  });

  it('a rename shows at once', async () => {
    const session = new Session({ api: fakeApi() });
    await session.signIn({ email: 'a@example.org', password: 'pw' });
    session.updateUser({ id: 'u1', displayName: 'Annie' });
    expect(session.user).toEqual({ id: 'u1', displayName: 'Annie' });
  });
});
