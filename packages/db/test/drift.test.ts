import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrationsDir, schemaPath } from '../src/paths';
import { diffToSchema } from '../src/schema-engine';

// Prisma's engine replays prisma/migrations on an in-memory shadow database and diffs
// the result against schema.prisma: any difference means someone changed the schema
// without `pnpm --filter @openwcall/db prisma:make-migration <name>`.
describe('migrations vs schema.prisma', () => {
  it('the committed migrations produce exactly the schema (no drift)', async () => {
    const sql = await diffToSchema({ dir: migrationsDir }, schemaPath);
    expect(sql, `schema.prisma has changes without a migration:\n${sql}`).toBe('');
  });

  it('detects drift: a field added to the schema without a migration', async () => {
    const edited = join(tmpdir(), `openwcall-drift-${process.pid}.prisma`);
    const schema = await readFile(schemaPath, 'utf8');
    await writeFile(edited, schema.replace(/(model Room \{\n)/, '$1  topic String?\n'));
    try {
      const sql = await diffToSchema({ dir: migrationsDir }, edited);
      expect(sql).toMatch(/ALTER TABLE "rooms" ADD COLUMN\s+"topic" TEXT/);
    } finally {
      await rm(edited, { force: true });
    }
  });
});
