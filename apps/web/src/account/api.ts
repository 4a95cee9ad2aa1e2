import { type PublicUser, PublicUserSchema } from '@openwcall/shared';
import { z } from 'zod';
import type { AuthApi } from '../auth/api';

// Answers of ACCOUNTS-API.md "Signed-in user" and "Public" links; parsed, never trusted.
export const MeSchema = z.object({
  user: PublicUserSchema,
  email: z.string(),
  isAdmin: z.boolean(),
  createdAt: z.string(),
});
export type Me = z.infer<typeof MeSchema>;

export const DeviceSchema = z.object({
  id: z.string(),
  userAgent: z.string().nullable(),
  ip: z.string().nullable(),
  createdAt: z.string(),
  lastUsedAt: z.string(),
  current: z.boolean(),
});
export type Device = z.infer<typeof DeviceSchema>;
const DevicesSchema = z.object({ sessions: z.array(DeviceSchema) });
const UpdatedUserSchema = z.object({ user: PublicUserSchema });

export const InviteCheckSchema = z.object({
  valid: z.literal(true),
  expiresAt: z.string(),
  usesLeft: z.number().nullable(),
});
export type InviteCheck = z.infer<typeof InviteCheckSchema>;

export const ResetCheckSchema = z.object({
  valid: z.literal(true),
  displayName: z.string(),
  expiresAt: z.string(),
});
export type ResetCheck = z.infer<typeof ResetCheckSchema>;

type Http = Pick<AuthApi, 'request'>;

/** The signed-in user's own account: profile, password and signed-in devices. */
export class AccountApi {
  constructor(
    private readonly http: Http,
    private readonly token: () => Promise<string>,
  ) {}

  async me(): Promise<Me> {
    return this.http.request('GET', '/me', MeSchema, { token: await this.token() });
  }

  async rename(displayName: string): Promise<PublicUser> {
    const { user } = await this.http.request('PATCH', '/me', UpdatedUserSchema, {
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
    const { sessions } = await this.http.request('GET', '/me/sessions', DevicesSchema, {
      token: await this.token(),
    });
    return sessions;
  }

  async signOutDevice(id: string): Promise<void> {
    await this.http.request('DELETE', `/me/sessions/${encodeURIComponent(id)}`, null, {
      token: await this.token(),
    });
  }

  async signOutEverywhere(): Promise<void> {
    await this.http.request('DELETE', '/me/sessions', null, { token: await this.token() });
  }
}

/** Links an admin hands out; opened by people who are not signed in. */
export class LinkApi {
  constructor(private readonly http: Http) {}

  checkInvite(token: string): Promise<InviteCheck> {
    return this.http.request(
      'GET',
      `/auth/invites/${encodeURIComponent(token)}`,
      InviteCheckSchema,
      {},
    );
  }

  checkReset(token: string): Promise<ResetCheck> {
    return this.http.request(
      'GET',
      `/auth/password-reset/${encodeURIComponent(token)}`,
      ResetCheckSchema,
      {},
    );
  }

  async resetPassword(token: string, newPassword: string): Promise<void> {
    await this.http.request('POST', '/auth/password-reset', null, { body: { token, newPassword } });
  }
}
