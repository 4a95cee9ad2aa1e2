// The only door to `@prisma/schema-engine-wasm`. That package is Prisma's internal,
// unversioned build of the schema engine (the one `prisma migrate diff` uses when the
// native engine is absent); its API can change with any release, so it is pinned in
// the catalog and nothing else in the repo may import it. Used by scripts and tests
// only, never at runtime.
//
// The engine needs a driver adapter even for offline diffs: it replays migrations on a
// "shadow database", which the PGlite adapter provides in memory.
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import type * as Wasm from '@prisma/schema-engine-wasm';
import { PrismaPGlite } from 'pglite-prisma-adapter';

type WasmExports = Record<string, unknown>;
type WasmBindings = typeof Wasm & { __wbg_set_wasm(exports: WasmExports): void };

// Node has WebAssembly, but with lib ES2023 and no DOM types TypeScript does not declare it.
const { WebAssembly: wasmRuntime } = globalThis as unknown as {
  WebAssembly: {
    instantiate(
      bytes: Uint8Array,
      imports: object,
    ): Promise<{ instance: { exports: WasmExports } }>;
  };
};

let bindings: Promise<WasmBindings> | undefined;

// The package's entry does `import * as wasm from './schema_engine_bg.wasm'`, which Node 20
// cannot load; instantiate the module by hand the way wasm-bindgen's bundler glue would.
function loadBindings(): Promise<WasmBindings> {
  bindings ??= (async () => {
    const require = createRequire(import.meta.url);
    const dir = dirname(require.resolve('@prisma/schema-engine-wasm'));
    const glue = (await import(
      pathToFileURL(join(dir, 'schema_engine_bg.js')).href
    )) as WasmBindings;
    const bytes = await readFile(join(dir, 'schema_engine_bg.wasm'));
    const { instance } = await wasmRuntime.instantiate(bytes, { './schema_engine_bg.js': glue });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return glue;
  })();
  return bindings;
}

export interface MigrationsSource {
  /** Absolute path of `prisma/migrations`. */
  dir: string;
}

/**
 * SQL that takes the database described by `from` to the one described by the Prisma
 * schema; an empty string when they are already the same.
 * `from: 'empty'` is an empty database, otherwise the result of replaying the migrations.
 */
export async function diffToSchema(
  from: 'empty' | MigrationsSource,
  schemaPath: string,
): Promise<string> {
  const wasm = await loadBindings();
  const schema = { path: schemaPath, content: await readFile(schemaPath, 'utf8') };
  const pglite = new PGlite('memory://');
  const engine = await wasm.SchemaEngine.new(
    { datamodels: [[schema.path, schema.content]] },
    () => {},
    bindMigrationAwareSqlAdapterFactory(new PrismaPGlite(pglite)),
  );
  try {
    const result = await engine.diff({
      from: from === 'empty' ? { tag: 'empty' } : await migrationsTarget(from.dir),
      to: { tag: 'schemaDatamodel', files: [schema] },
      script: true,
      exitCode: true,
      filters: { externalTables: [], externalEnums: [] },
    });
    // exitCode 2 = "the diff is not empty"; an empty diff still prints a comment line.
    return result.exitCode === 2 ? (result.stdout ?? '') : '';
  } finally {
    engine.free();
    await pglite.close();
  }
}

async function migrationsTarget(dir: string): Promise<Wasm.DiffTarget> {
  const lockPath = join(dir, 'migration_lock.toml');
  const lock = await readFile(lockPath, 'utf8').catch(() => null);
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const migrationDirectories = await Promise.all(
    names.map(async (name) => ({
      path: name,
      migrationFile: {
        path: 'migration.sql',
        content: await readFile(join(dir, name, 'migration.sql'), 'utf8').then(
          (value) => ({ tag: 'ok' as const, value }),
          (err: Error) => ({ tag: 'error' as const, value: err.message }),
        ),
      },
    })),
  );
  return {
    tag: 'migrations',
    baseDir: dir,
    lockfile: { path: 'migration_lock.toml', content: lock },
    shadowDbInitScript: '',
    migrationDirectories,
  };
}
