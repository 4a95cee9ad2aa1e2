import type { Prisma, PrismaClient } from '@openwcall/db';
import type { AuditAction, AuditEntryView } from '@openwcall/shared';

/** Every admin action, from the web page or the command line (actor null), is one row. */

type Db = PrismaClient | Prisma.TransactionClient;

export interface AuditRecord {
  /** null = the command line. */
  actorId: string | null;
  action: AuditAction;
  targetUserId?: string | null;
  detail?: string | null;
}

export async function recordAudit(prisma: Db, entry: AuditRecord): Promise<void> {
  await prisma.auditEntry.create({
    data: {
      actorId: entry.actorId,
      action: entry.action,
      targetUserId: entry.targetUserId ?? null,
      detail: entry.detail ?? null,
    },
  });
}

export async function listAudit(prisma: Db, limit: number): Promise<AuditEntryView[]> {
  const rows = await prisma.auditEntry.findMany({
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: limit,
    include: {
      actor: { select: { id: true, displayName: true } },
      target: { select: { id: true, displayName: true, email: true } },
    },
  });
  return rows.map((row) => ({
    id: row.id,
    actor: row.actor,
    // Written by recordAudit only, from the same list.
    action: row.action as AuditAction,
    target: row.target,
    detail: row.detail,
    createdAt: row.createdAt.toISOString(),
  }));
}
