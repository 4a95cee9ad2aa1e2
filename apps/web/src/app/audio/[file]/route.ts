import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';

// The noise suppressor's AudioWorklet and wasm come from its npm package and are served from
// here, so nothing is fetched from anywhere else at run time and no copy step can go stale.
// Only these names are served: the segment is never used as a path.
const FILES: Readonly<Record<string, { specifier: string; type: string }>> = {
  'rnnoise-worklet.js': {
    specifier: '@sapphi-red/web-noise-suppressor/rnnoiseWorklet.js',
    type: 'text/javascript; charset=utf-8',
  },
  'rnnoise.wasm': {
    specifier: '@sapphi-red/web-noise-suppressor/rnnoise.wasm',
    type: 'application/wasm',
  },
  'rnnoise-simd.wasm': {
    specifier: '@sapphi-red/web-noise-suppressor/rnnoise_simd.wasm',
    type: 'application/wasm',
  },
};

// Resolved from the app's own folder (where `next start` runs), not from the bundled route.
const require = createRequire(join(process.cwd(), 'package.json'));

export async function GET(_request: Request, context: { params: Promise<{ file: string }> }) {
  const { file } = await context.params;
  const entry = Object.hasOwn(FILES, file) ? FILES[file] : undefined;
  if (!entry) return new Response('Not found', { status: 404 });
  const body = await readFile(require.resolve(entry.specifier));
  return new Response(new Uint8Array(body), {
    headers: { 'content-type': entry.type, 'cache-control': 'public, max-age=86400' },
  });
}
