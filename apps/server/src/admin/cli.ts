import { isAbsolute, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type Database, DatabaseBusyError } from '@openwcall/db';
import { openDatabase } from '@openwcall/db/client';
import { DisplayNameSchema, EmailSchema, PasswordSchema } from '@openwcall/shared';
import type { z } from 'zod';
import { announceAccountEvent } from '../accounts/account-events';
import { AdminPolicy, createAccount, findByEmail } from '../accounts/accounts';
import { RefreshSessions } from '../auth/refresh-sessions';
import { ConfigError, loadConfig } from '../config';
import { AppError } from '../errors';
import { noSocketCloser } from '../gateway/socket-closer';
import { recordAudit } from './audit';
import { AdminUsers } from './users';

/*
 * `pnpm --filter @openwcall/server admin <command>`: account administration without a
 * browser, on the server's own configuration. Audited with actor null (the command line).
 * Exit codes: 0 done, 1 refused or failed (one line on stderr), 2 wrong usage.
 */

const USAGE = `usage: admin <command> [options]
  create-user --email E --name N --password P [--admin]
  reset-link  --email E          prints a one-time password reset link (24 h)
  disable     --email E          the account can no longer sign in
  enable      --email E
  promote     --email E          makes the user an admin
  demote      --email E`;

class UsageError extends Error {}

function parse<S extends z.ZodType>(schema: S, value: string | undefined, flag: string) {
  if (value === undefined) throw new UsageError(`${flag} is required`);
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new UsageError(`${flag}: ${result.error.issues[0]?.message ?? 'invalid'}`);
  }
  return result.data as z.output<S>;
}

async function run(argv: string[]): Promise<string> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      email: { type: 'string' },
      name: { type: 'string' },
      password: { type: 'string' },
      admin: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...extra] = positionals;
  if (values.help || !command) throw new UsageError('');
  if (extra.length > 0) throw new UsageError(`unexpected argument: ${extra[0]}`);
  if (!['create-user', 'reset-link', 'disable', 'enable', 'promote', 'demote'].includes(command))
    throw new UsageError(`unknown command: ${command}`);
  const email = parse(EmailSchema, values.email, '--email');
  const account =
    command === 'create-user'
      ? {
          email,
          displayName: parse(DisplayNameSchema, values.name, '--name'),
          password: parse(PasswordSchema, values.password, '--password'),
          isAdmin: values.admin,
        }
      : null;

  const env = { ...process.env };
  // pnpm runs the script in apps/server; a relative DATA_DIR means the caller's directory.
  if (env.DATA_DIR && !isAbsolute(env.DATA_DIR) && !env.DATA_DIR.startsWith('memory://')) {
    env.DATA_DIR = resolve(process.env.INIT_CWD ?? process.cwd(), env.DATA_DIR);
  }
  const config = loadConfig(env);
  const db: Database = await openDatabase(config.database);
  try {
    await db.migrate();
    const policy = new AdminPolicy(config.auth.adminEmails);
    const users = new AdminUsers({
      prisma: db.prisma,
      policy,
      sessions: new RefreshSessions(db.prisma, config.auth.refreshTokenTtlDays, noSocketCloser),
      sockets: noSocketCloser,
      webOrigins: config.webOrigins,
      onlineUserIds: async () => new Set(),
    });
    if (account) {
      const row = await createAccount(db.prisma, account);
      await recordAudit(db.prisma, {
        actorId: null,
        action: 'user.create',
        targetUserId: row.id,
        detail: row.isAdmin ? 'admin' : null,
      });
      return `created ${row.email} (${row.id})${policy.isAdmin(row) ? ', admin' : ''}`;
    }
    const target = await findByEmail(db.prisma, email);
    switch (command) {
      case 'reset-link': {
        const link = await users.resetLink(null, target.id);
        return link.url;
      }
      case 'disable':
        await users.disable(null, target.id);
        // Running servers on this database close the user's sockets at once.
        await announceAccountEvent(db.prisma, { kind: 'disabled', userId: target.id });
        return `disabled ${target.email}`;
      case 'enable':
        await users.enable(null, target.id);
        return `enabled ${target.email}`;
      case 'promote':
        await users.promote(null, target.id);
        return `${target.email} is now an admin`;
      default:
        await users.demote(null, target.id);
        return `${target.email} is no longer an admin`;
    }
  } finally {
    await db.close();
  }
}

run(process.argv.slice(2)).then(
  (output) => {
    process.stdout.write(`${output}\n`);
    process.exit(0);
  },
  (err: unknown) => {
    if (
      err instanceof UsageError ||
      (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      const message = err instanceof Error ? err.message : '';
      process.stderr.write(`${message ? `error: ${message}\n` : ''}${USAGE}\n`);
      process.exit(2);
    }
    if (err instanceof AppError || err instanceof DatabaseBusyError || err instanceof ConfigError) {
      process.stderr.write(`error: ${err.message.replace(/\n\s*/g, ' ')}\n`);
      process.exit(1);
    }
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
