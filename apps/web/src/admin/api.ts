import { z } from 'zod';
import type { AuthApi } from '../auth/api';

// Answers of ACCOUNTS-API.md "Admin"; parsed, never trusted.
const PersonRefSchema = z.object({ id: z.string(), displayName: z.string() });

export const AdminUserSchema = z.object({
  id: z.string(),
  email: z.string(),
  displayName: z.string(),
  isAdmin: z.boolean(),
  adminByConfig: z.boolean(),
  disabled: z.boolean(),
  online: z.boolean(),
  createdAt: z.string(),
  lastSeenAt: z.string().nullable(),
});
export type AdminUser = z.infer<typeof AdminUserSchema>;
const UsersSchema = z.object({ users: z.array(AdminUserSchema) });
const UserSchema = z.object({ user: AdminUserSchema });

export const InviteSchema = z.object({
  id: z.string(),
  url: z.string().nullable(),
  maxUses: z.number().nullable(),
  uses: z.number(),
  expiresAt: z.string(),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
  createdBy: PersonRefSchema.nullable(),
});
export type Invite = z.infer<typeof InviteSchema>;
const InvitesSchema = z.object({ invites: z.array(InviteSchema) });
const CreatedInviteSchema = z.object({ invite: InviteSchema });

export const AuditEntrySchema = z.object({
  id: z.string(),
  actor: PersonRefSchema.nullable(),
  action: z.string(),
  target: PersonRefSchema.extend({ email: z.string() }).nullable(),
  detail: z.string().nullable(),
  createdAt: z.string(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;
const AuditSchema = z.object({ entries: z.array(AuditEntrySchema) });

const ResetLinkSchema = z.object({ url: z.string(), expiresAt: z.string() });
export type ResetLink = z.infer<typeof ResetLinkSchema>;

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
    return this.post(`/api/admin/users/${encodeURIComponent(userId)}/reset-link`, ResetLinkSchema);
  }

  async invites(): Promise<Invite[]> {
    const { invites } = await this.get('/api/admin/invites', InvitesSchema);
    return invites;
  }

  async createInvite(options: { maxUses: number | null; expiresInHours: number }): Promise<Invite> {
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
