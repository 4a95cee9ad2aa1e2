// `@openwcall/db`: types and pure helpers only. Opening a database lives in
// `@openwcall/db/client`, test helpers in `@openwcall/db/testing`.

export { DatabaseBusyError } from './dir-lock';
export { isUniqueViolation } from './errors';
export type {
  AuditEntry,
  DirectCall,
  Invitation,
  ModerationAction,
  PasswordReset,
  Prisma,
  PrismaClient,
  RefreshSession,
  Room,
  RoomMembership,
  User,
} from './generated/prisma/client';
export { CallOutcome } from './generated/prisma/enums';
export { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from './passwords';
export { DEMO_PASSWORD, DEMO_USERS, seedDemoUsers } from './seed';
export type { Database, DatabaseLogger, DatabaseOptions } from './types';
