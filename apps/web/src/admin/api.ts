import {
  type AdminUser,
  type AuditEntryView,
  AuditResponseSchema as AuditSchema,
  InviteResponseSchema as CreatedInviteSchema,
  type CreateInviteBody,
  type Invite,
  InvitesResponseSchema as InvitesSchema,
  type ResetLinkResponse,
  ResetLinkResponseSchema,
  AdminUserResponseSchema as UserSchema,
  AdminUsersResponseSchema as UsersSchema,
} from '@openwcall/shared';
import type { z } from 'zod';
import type { AuthApi } from '../auth/api';

export type { AdminUser, Invite } from '@openwcall/shared';
export type AuditEntry = AuditEntryView;
export type ResetLink = ResetLinkResponse;

export type UserAction = 'disable' | 'enable' | 'promote' | 'demote';

/** What an admin manages: accounts, invitations, and the record of what admins did. */
export class AdminApi {
  constructor(
    private readonly http: Pick<AuthApi, 'request'>,
    private readonly token: () => Promise<string>,
  ) {}

  async users(): Promise<AdminUser[]> {
    const { users } = await this.get('/api/admin/users', UsersSchema);
    return users;
  }

  async act(userId: string, action: UserAction): Promise<AdminUser> {
    const { user } = await this.post(
      `/api/admin/users/${encodeURIComponent(userId)}/${action}`,
      UserSchema,
    );
    return user;
  }

  resetLink(userId: string): Promise<ResetLink> {
    return this.post(
      `/api/admin/users/${encodeURIComponent(userId)}/reset-link`,
      ResetLinkResponseSchema,
    );
  }

  async invites(): Promise<Invite[]> {
    const { invites } = await this.get('/api/admin/invites', InvitesSchema);
    return invites;
  }

  async createInvite(options: CreateInviteBody): Promise<Invite> {
    const { invite } = await this.post('/api/admin/invites', CreatedInviteSchema, options);
    return invite;
  }

  async revokeInvite(id: string): Promise<void> {
    await this.http.request('DELETE', `/api/admin/invites/${encodeURIComponent(id)}`, null, {
      token: await this.token(),
    });
  }

  async audit(limit = 100): Promise<AuditEntry[]> {
    const { entries } = await this.get(`/api/admin/audit?limit=${limit}`, AuditSchema);
    return entries;
  }

  private async get<S extends z.ZodType>(path: string, schema: S): Promise<z.output<S>> {
    return (await this.http.request('GET', path, schema, {
      token: await this.token(),
    })) as z.output<S>;
  }

  private async post<S extends z.ZodType>(
    path: string,
    schema: S,
    body: unknown = {},
  ): Promise<z.output<S>> {
    const token = await this.token();
    return (await this.http.request('POST', path, schema, { token, body })) as z.output<S>;
  }
}
