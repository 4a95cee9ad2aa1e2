import type { AuthResponse, LoginBody, PublicUser, RegisterBody } from '@openwcall/shared';
import { AppError, toAppError } from '../base/errors';
import { ExternalStore } from '../base/external-store';
import type { AuthApi } from './api';

export type SessionState =
  | { readonly status: 'loading' }
  | { readonly status: 'signed-out'; readonly notice?: string }
  | { readonly status: 'signed-in'; readonly user: PublicUser };

/** What tabs of one browser tell each other, so only one of them spends the refresh token. */
export type SessionMessage =
  | {
      readonly type: 'token';
      readonly accessToken: string;
      readonly expiresAt: number;
      readonly user: PublicUser;
    }
  | { readonly type: 'signed-out' };

export interface SessionBus {
  post(message: SessionMessage): void;
  subscribe(listener: (message: SessionMessage) => void): () => void;
}

export interface SessionDeps {
  readonly api: Pick<AuthApi, 'login' | 'register' | 'refresh' | 'logout'>;
  /** Asks the server to end every login of this user (ACCOUNTS-API.md DELETE /me/sessions). */
  readonly endAllLogins?: (accessToken: string) => Promise<void>;
  readonly now?: () => number;
  /**
   * Runs `task` while no other tab refreshes. Refresh tokens are single-use and a reused one
   * revokes the whole login, so two tabs must never present the same cookie at once.
   */
  readonly withLock?: <T>(task: () => Promise<T>) => Promise<T>;
  readonly bus?: SessionBus;
  /** Retry delay after a refresh failed for a reason other than an invalid token. */
  readonly retryMs?: number;
}

interface AccessToken {
  readonly value: string;
  readonly expiresAt: number;
}

// Refresh this long before expiry (or at 80% of a short lifetime), so a socket reconnecting
// right now never presents a token that expires on the way.
const REFRESH_MARGIN_MS = 60_000;
// A token with less than this left is refreshed before use.
const MIN_VALIDITY_MS = 15_000;

export const SIGNED_OUT_NOTICE = 'You were signed out. Please sign in again.';
export const DISABLED_NOTICE = 'This account has been disabled by an admin.';

/** What to tell a person whose login the server ended (revoked, or the account disabled). */
export function noticeForEndedLogin(code: string): string {
  return code === 'ACCOUNT_DISABLED' ? DISABLED_NOTICE : SIGNED_OUT_NOTICE;
}

/**
 * The signed-in user and a fresh access token. Restores the login on page load from the
 * server's HttpOnly refresh cookie, refreshes ahead of expiry, and signs out everywhere.
 */
export class Session extends ExternalStore<SessionState> {
  private readonly api: SessionDeps['api'];
  private readonly now: () => number;
  private readonly withLock: <T>(task: () => Promise<T>) => Promise<T>;
  private readonly bus: SessionBus | undefined;
  private readonly retryMs: number;
  private token: AccessToken | null = null;
  /** Bumped whenever a new token arrives (here or from another tab). */
  private tokenVersion = 0;
  private refreshing: Promise<string> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly unsubscribeBus: () => void;
  private readonly tokenListeners = new Set<(token: string) => void>();
  private readonly endAllLogins: SessionDeps['endAllLogins'];
  private closed = false;

  constructor(deps: SessionDeps) {
    super({ status: 'loading' });
    this.api = deps.api;
    this.now = deps.now ?? Date.now;
    this.withLock = deps.withLock ?? ((task) => task());
    this.bus = deps.bus;
    this.retryMs = deps.retryMs ?? 5_000;
    this.endAllLogins = deps.endAllLogins;
    this.unsubscribeBus = this.bus?.subscribe((message) => this.onMessage(message)) ?? (() => {});
  }

  get user(): PublicUser | null {
    const state = this.getSnapshot();
    return state.status === 'signed-in' ? state.user : null;
  }

  /** On page load: signed in again if the refresh cookie is still good. */
  async restore(): Promise<void> {
    try {
      await this.refresh();
    } catch (error) {
      const appError = toAppError(error);
      if (appError.code === 'UNAUTHENTICATED') this.becomeSignedOut();
      else this.becomeSignedOut(appError.message);
    }
  }

  async signIn(body: LoginBody): Promise<void> {
    this.accept(await this.api.login(body), true);
  }

  async register(body: RegisterBody): Promise<void> {
    this.accept(await this.api.register(body), true);
  }

  async signOut(): Promise<void> {
    this.becomeSignedOut();
    this.bus?.post({ type: 'signed-out' });
    try {
      await this.api.logout();
    } catch {
      // Signed out locally either way; the refresh token expires on its own.
    }
  }

  /**
   * "Sign out everywhere": the server ends every login, this one included. Signed out here
   * only once the server agreed, so a failure leaves the person signed in and told why.
   */
  async signOutEverywhere(): Promise<void> {
    if (!this.endAllLogins) throw new AppError('INTERNAL', 'Not supported here.');
    await this.endAllLogins(await this.getAccessToken());
    this.becomeSignedOut();
    this.bus?.post({ type: 'signed-out' });
  }

  /** The server ended this login (its sockets were told why): signed out with a notice. */
  endedByServer(code: string): void {
    const state = this.getSnapshot();
    const notice = noticeForEndedLogin(code);
    // A failed refresh may have said it already; the disabled notice is the more useful one.
    if (state.status === 'signed-out' && (state.notice === notice || code !== 'ACCOUNT_DISABLED'))
      return;
    this.becomeSignedOut(notice);
  }

  /** The user renamed themselves: the header and every view show the new name at once. */
  updateUser(user: PublicUser): void {
    if (this.getSnapshot().status === 'signed-in') this.setSignedIn(user);
  }

  /** Called with every new access token (this tab's refresh or another tab's). */
  onToken(listener: (token: string) => void): () => void {
    this.tokenListeners.add(listener);
    return () => {
      this.tokenListeners.delete(listener);
    };
  }

  /** A token valid for a while yet; refreshes first when needed. Throws UNAUTHENTICATED when signed out. */
  async getAccessToken(): Promise<string> {
    const token = this.token;
    if (token && token.expiresAt - this.now() > MIN_VALIDITY_MS) return token.value;
    if (this.getSnapshot().status === 'signed-out') throw new AppError('UNAUTHENTICATED');
    return this.refresh();
  }

  /** Gets a new access token (one request at a time in this tab, one tab at a time). */
  refresh(): Promise<string> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  close(): void {
    this.closed = true;
    this.clearTimer();
    this.unsubscribeBus();
  }

  private async doRefresh(): Promise<string> {
    const versionAtRequest = this.tokenVersion;
    return this.withLock(async () => {
      // Another tab may have refreshed while we waited for the lock and told us the result.
      const shared = this.token;
      if (
        shared &&
        this.tokenVersion !== versionAtRequest &&
        shared.expiresAt - this.now() > MIN_VALIDITY_MS
      ) {
        return shared.value;
      }
      try {
        const response = await this.api.refresh();
        this.accept(response, true);
        return response.accessToken;
      } catch (error) {
        const appError = toAppError(error);
        if (appError.code === 'UNAUTHENTICATED' || appError.code === 'ACCOUNT_DISABLED') {
          if (this.getSnapshot().status === 'signed-in') {
            this.becomeSignedOut(noticeForEndedLogin(appError.code));
          }
        } else if (this.getSnapshot().status === 'signed-in') {
          this.schedule(this.retryMs);
        }
        throw appError;
      }
    });
  }

  private accept(response: AuthResponse, broadcast: boolean): void {
    const now = this.now();
    this.token = { value: response.accessToken, expiresAt: now + response.expiresIn * 1000 };
    this.tokenVersion += 1;
    this.setSignedIn(response.user);
    this.scheduleRefresh(response.expiresIn * 1000);
    this.announceToken(response.accessToken);
    if (broadcast) {
      this.bus?.post({
        type: 'token',
        accessToken: response.accessToken,
        expiresAt: this.token.expiresAt,
        user: response.user,
      });
    }
  }

  private onMessage(message: SessionMessage): void {
    if (this.closed) return;
    if (message.type === 'signed-out') {
      if (this.getSnapshot().status !== 'signed-out') this.becomeSignedOut('You signed out.');
      return;
    }
    const now = this.now();
    this.token = { value: message.accessToken, expiresAt: message.expiresAt };
    this.tokenVersion += 1;
    this.setSignedIn(message.user);
    this.scheduleRefresh(message.expiresAt - now);
    this.announceToken(message.accessToken);
  }

  private announceToken(token: string): void {
    for (const listener of [...this.tokenListeners]) listener(token);
  }

  private setSignedIn(user: PublicUser): void {
    const state = this.getSnapshot();
    if (
      state.status === 'signed-in' &&
      state.user.id === user.id &&
      state.user.displayName === user.displayName
    ) {
      return;
    }
    this.setState({ status: 'signed-in', user });
  }

  private becomeSignedOut(notice?: string): void {
    this.token = null;
    this.clearTimer();
    this.setState(notice ? { status: 'signed-out', notice } : { status: 'signed-out' });
  }

  private scheduleRefresh(lifetimeMs: number): void {
    const margin = Math.min(REFRESH_MARGIN_MS, lifetimeMs * 0.2);
    this.schedule(Math.max(1_000, lifetimeMs - margin));
  }

  private schedule(delayMs: number): void {
    if (this.closed) return;
    this.clearTimer();
    this.timer = setTimeout(() => {
      this.timer = null;
      this.refresh().catch(() => {
        // doRefresh already signed out or scheduled a retry.
      });
    }, delayMs);
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}

/** The browser's cross-tab primitives, where they exist. */
export function browserSessionDeps(): Pick<SessionDeps, 'withLock' | 'bus'> {
  const deps: { withLock?: SessionDeps['withLock']; bus?: SessionBus } = {};
  if (typeof navigator !== 'undefined' && navigator.locks) {
    deps.withLock = <T>(task: () => Promise<T>) =>
      navigator.locks.request('openwcall:refresh', task) as unknown as Promise<T>;
  }
  if (typeof BroadcastChannel !== 'undefined') {
    const channel = new BroadcastChannel('openwcall:session');
    deps.bus = {
      post: (message) => channel.postMessage(message),
      subscribe: (listener) => {
        const handler = (event: MessageEvent<SessionMessage>) => listener(event.data);
        channel.addEventListener('message', handler);
        return () => channel.removeEventListener('message', handler);
      },
    };
  }
  return deps;
}
