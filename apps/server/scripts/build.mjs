#!/usr/bin/env node
// Compiles the server (and the workspace packages it imports: @openwcall/shared,
// @openwcall/db) into one ESM file, dist/main.js, with a source map so stack traces point
// at the TypeScript. Third-party packages stay external: they load from node_modules, so
// PGlite's wasm/data files and Prisma's runtime resolve from their own packages.
//
// `node scripts/build.mjs` builds; `--if-stale` builds only when a source is newer than
// dist/main.js (what scripts/start.mjs calls on every start).
import { existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const serverDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repoDir = resolve(serverDir, '../..');
const outFile = join(serverDir, 'dist', 'main.js');

const inputs = [
  join(serverDir, 'src'),
  join(serverDir, 'package.json'),
  join(serverDir, 'scripts', 'build.mjs'),
  join(repoDir, 'packages/shared/src'),
  join(repoDir, 'packages/shared/package.json'),
  join(repoDir, 'packages/db/src'),
  join(repoDir, 'packages/db/package.json'),
];

/** Newest mtime (ms) of a file or of any file below a directory; 0 when absent. */
function newestMtime(path) {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules') continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

/** Why a build is needed, or null when dist/main.js is up to date. */
export function staleReason() {
  if (!existsSync(outFile)) return 'no build yet';
  const builtAt = statSync(outFile).mtimeMs;
  const changed = inputs.find((p) => newestMtime(p) > builtAt);
  return changed ? `${relative(repoDir, changed)} changed` : null;
}

// Workspace sources locate files next to themselves (packages/db/src/paths.ts finds the
// migrations through import.meta.url). Bundled, import.meta.url would be dist/main.js, so
// each such file gets its own original URL, expressed relative to the bundle so the
// checkout can move.
const ownImportMetaUrl = {
  name: 'own-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (args.path.includes('node_modules')) return undefined;
      const source = await readFile(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      const fromBundle = relative(dirname(outFile), args.path).split('\\').join('/');
      const url = `new URL(${JSON.stringify(fromBundle)}, import.meta.url).href`;
      return { contents: source.replaceAll('import.meta.url', url), loader: 'ts' };
    });
  },
};

// Third-party imports stay external. Those made by the workspace packages are not
// resolvable from dist/ (pnpm links a package's dependencies only next to that package),
// so they are pointed at the file esbuild resolved, relative to the bundle.
const externalDeps = {
  name: 'external-deps',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.path.startsWith('@openwcall/') || args.pluginData === 'inner') return undefined;
      if (isBuiltin(args.path) || args.resolveDir.startsWith(serverDir + sep))
        return { path: args.path, external: true };
      const found = await build.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: 'inner',
      });
      if (found.errors.length > 0) return { errors: found.errors };
      const fromBundle = relative(dirname(outFile), found.path).split(sep).join('/');
      return { path: fromBundle.startsWith('.') ? fromBundle : `./${fromBundle}`, external: true };
    });
  },
};

export async function build() {
  const esbuild = await import('esbuild');
  try {
    const result = await esbuild.build({
      entryPoints: [join(serverDir, 'src/main.ts')],
      outfile: outFile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      sourcemap: true,
      // Every bare import except our own workspace packages loads from node_modules.
      plugins: [ownImportMetaUrl, externalDeps],
      write: false,
      logLevel: 'warning',
    });
    // Written to a temporary name and renamed, so a concurrent start never runs half a file.
    for (const file of result.outputFiles) {
      const tmp = `${file.path}.${process.pid}.tmp`;
      mkdirSync(dirname(file.path), { recursive: true });
      writeFileSync(tmp, file.contents);
      renameSync(tmp, file.path);
    }
  } finally {
    await esbuild.stop?.();
  }
}

// The notice is a JSON line like the server's own logs (pino level 30 = info), so log
// collectors that parse every line keep working when a start rebuilds.
export async function buildIfStale(
  log = (msg) => console.error(JSON.stringify({ level: 30, time: Date.now(), msg })),
) {
  const reason = staleReason();
  if (!reason) return false;
  log(`building the server (${reason})`);
  await build();
  return true;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--if-stale')) await buildIfStale();
  else await build();
}
