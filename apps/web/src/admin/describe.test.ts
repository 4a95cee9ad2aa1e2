import { describe, expect, it } from 'vitest';
import type { AuditEntry, Invite } from './api';
import { auditText, inviteState } from './describe';

const now = Date.parse('2026-12-02T12:00:00.000Z');
const invite = (patch: Partial<Invite>): Invite => ({
  id: 'i1',
  url: null,
  maxUses: 1,
  uses: 0,
  expiresAt: '2026-12-03T12:00:00.000Z',
  createdAt: '2026-12-02T11:00:00.000Z',
  revokedAt: null,
  createdBy: null,
  ...patch,
});

describe('inviteState', () => {
  it('says why an invitation can no longer be used', () => {
    expect(inviteState(invite({}), now)).toBe('active');
    expect(inviteState(invite({ uses: 1 }), now)).toBe('used-up');
    expect(inviteState(invite({ maxUses: null, uses: 99 }), now)).toBe('active');
    expect(inviteState(invite({ expiresAt: '2026-12-02T12:00:00.000Z' }), now)).toBe('expired');
    expect(inviteState(invite({ uses: 1, revokedAt: '2026-12-02T11:30:00.000Z' }), now)).toBe(
      'revoked',
    );
  });
});

describe('auditText', () => {
  const entry = (patch: Partial<AuditEntry>): AuditEntry => ({
    id: 'a1',
    actor: { id: 'u1', displayName: 'Ann' },
    action: 'user.disable',
    target: { id: 'u2', displayName: 'Bob', email: 'bob@example.test' },
    detail: null,
    createdAt: '2026-12-02T11:00:00.000Z',
    ...patch,
  });

  it('names who did what to whom; the command line has no actor', () => {
    expect(auditText(entry({}))).toBe('Ann disabled Bob (bob@example.test)');
    expect(auditText(entry({ actor: null, action: 'user.create' }))).toBe(
      'The command line created the account of Bob (bob@example.test)',
    );
    expect(auditText(entry({ action: 'invite.create', target: null }))).toBe(
      'Ann created an invitation',
    );
  });
});
