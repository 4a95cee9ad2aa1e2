// Runs `prisma generate` without network access.
// Prisma's CLI insists on a schema-engine binary path even though `generate` never calls
// the engine, and its postinstall download fails offline. Any existing executable
// satisfies that check; we point it at Node itself unless the caller chose one.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (!existsSync(join(root, 'prisma', 'schema.prisma'))) process.exit(0);
const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath;
const res = spawnSync('pnpm', ['exec', 'prisma', 'generate'], { cwd: root, env, stdio: 'inherit' });
process.exit(res.status ?? 1);
