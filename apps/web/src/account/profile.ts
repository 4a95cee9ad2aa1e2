import type { PublicUser } from '@openwcall/shared';
import { ExternalStore } from '../base/external-store';
import type { AccountApi, Me } from './api';

/**
 * The signed-in user's own account as the server describes it (email, admin or not), loaded
 * once per sign-in; null while unknown or signed out.
 */
export class Profile extends ExternalStore<Me | null> {
  private loading = 0;

  constructor(
    private readonly api: Pick<AccountApi, 'me'>,
    private readonly onError: (error: unknown) => void = () => {},
  ) {
    super(null);
  }

  get isAdmin(): boolean {
    return this.getSnapshot()?.isAdmin ?? false;
  }

  /** Loads the profile; an answer for an earlier sign-in is dropped. */
  async load(): Promise<void> {
    const request = ++this.loading;
    try {
      const me = await this.api.me();
      if (request === this.loading) this.setState(me);
    } catch (error) {
      this.onError(error);
    }
  }

  clear(): void {
    this.loading += 1;
    this.setState(null);
  }

  renamed(user: PublicUser): void {
    this.setState((me) => (me && me.user.id === user.id ? { ...me, user } : me));
  }
}
