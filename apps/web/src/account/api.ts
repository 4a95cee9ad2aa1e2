import {
  type InviteLookupResponse,
  InviteLookupResponseSchema,
  type LoginSession,
  type MeResponse,
  MeResponseSchema,
  type PublicUser,
  type ResetLookupResponse,
  ResetLookupResponseSchema,
  SessionsResponseSchema,
  UpdateMeResponseSchema,
} from '@openwcall/shared';
import type { AuthApi } from '../auth/api';

export type Me = MeResponse;
export type Device = LoginSession;
export type InviteCheck = InviteLookupResponse;
export type ResetCheck = ResetLookupResponse;

type Http = Pick<AuthApi, 'request'>;

/** The signed-in user's own account (ACCOUNTS-API.md "Signed-in user"). */
export class AccountApi {
  constructor(
    private readonly http: Http,
    private readonly token: () => Promise<string>,
  ) {}

  async me(): Promise<Me> {
    return this.http.request('GET', '/me', MeResponseSchema, { token: await this.token() });
  }

  async rename(displayName: string): Promise<PublicUser> {
    const { user } = await this.http.request('PATCH', '/me', UpdateMeResponseSchema, {
      token: await this.token(),
      body: { displayName },
    });
    return user;
  }

  async changePassword(currentPassword: string, newPassword: string): Promise<void> {
    await this.http.request('POST', '/me/password', null, {
      token: await this.token(),
      body: { currentPassword, newPassword },
    });
  }

  async devices(): Promise<Device[]> {
    const { sessions } = await this.http.request('GET', '/me/sessions', SessionsResponseSchema, {
      token: await this.token(),
    });
    return sessions;
  }

  async signOutDevice(id: string): Promise<void> {
    await this.http.request('DELETE', `/me/sessions/${encodeURIComponent(id)}`, null, {
      token: await this.token(),
    });
  }
}

/** Links an admin hands out; opened by people who are not signed in. */
export class LinkApi {
  constructor(private readonly http: Http) {}

  checkInvite(token: string): Promise<InviteCheck> {
    return this.http.request(
      'GET',
      `/auth/invites/${encodeURIComponent(token)}`,
      InviteLookupResponseSchema,
      {},
    );
  }

  checkReset(token: string): Promise<ResetCheck> {
    return this.http.request(
      'GET',
      `/auth/password-reset/${encodeURIComponent(token)}`,
      ResetLookupResponseSchema,
      {},
    );
  }

  async resetPassword(token: string, newPassword: string): Promise<void> {
    await this.http.request('POST', '/auth/password-reset', null, { body: { token, newPassword } });
  }
}
