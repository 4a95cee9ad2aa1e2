import type { AuditAction } from '@openwcall/shared';
import type { AuditEntry, Invite } from './api';

export type InviteState = 'active' | 'used-up' | 'expired' | 'revoked';

/** Why an invitation can or cannot be used now; revoked wins over the others. */
export function inviteState(invite: Invite, now: number): InviteState {
  if (invite.revokedAt !== null) return 'revoked';
  if (invite.maxUses !== null && invite.uses >= invite.maxUses) return 'used-up';
  if (Date.parse(invite.expiresAt) <= now) return 'expired';
  return 'active';
}

const ACTIONS: Record<AuditAction, string> = {
  'user.create': 'created the account of',
  'user.disable': 'disabled',
  'user.enable': 'enabled',
  'user.reset-link': 'issued a password reset link for',
  'user.promote': 'made an admin:',
  'user.demote': 'removed admin rights from',
  'invite.create': 'created an invitation',
  'invite.revoke': 'revoked an invitation',
};

/** One line of the audit log in words: "Ann disabled Bob (bob@example.com)". */
export function auditText(entry: AuditEntry): string {
  const actor = entry.actor?.displayName ?? 'The command line';
  const verb = ACTIONS[entry.action];
  const target = entry.target ? ` ${entry.target.displayName} (${entry.target.email})` : '';
  return `${actor} ${verb}${target}`;
}
