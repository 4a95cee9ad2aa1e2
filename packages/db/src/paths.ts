import { fileURLToPath } from 'node:url';

/** `packages/db`, found from this file so it works from any working directory. */
export const packageDir = fileURLToPath(new URL('..', import.meta.url));
export const schemaPath = fileURLToPath(new URL('../prisma/schema.prisma', import.meta.url));
export const migrationsDir = fileURLToPath(new URL('../prisma/migrations', import.meta.url));
/** `<repo root>/.data/pglite` (git-ignored): where the embedded database lives by default. */
export const defaultPgliteDir = fileURLToPath(new URL('../../../.data/pglite', import.meta.url));
