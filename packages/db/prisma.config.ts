// Read by the Prisma CLI. Here only `prisma generate` runs (offline, scripts/generate.mjs);
// migrations are made and applied without the CLI (see README). The datasource lets
// `prisma migrate status|deploy` work on machines that do have the native engine.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  ...(process.env.DATABASE_URL ? { datasource: { url: process.env.DATABASE_URL } } : {}),
});
