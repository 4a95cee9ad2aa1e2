// The layering lint (biome.json overrides of noRestrictedImports) must bite: a probe file that
// breaks each rule is linted in place, where the per-folder overrides apply.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const root = resolve(src, '../../..');

function violations(folder: string, imports: readonly string[]): string[] {
  const file = join(src, folder, `probe-${randomUUID().slice(0, 8)}.ts`);
  const body = imports.map((from, i) => `import * as m${i} from '${from}';`).join('\n');
  writeFileSync(
    file,
    `${body}\nexport const all = [${imports.map((_, i) => `m${i}`).join(', ')}];\n`,
  );
  try {
    execFileSync(join(root, 'node_modules/.bin/biome'), ['lint', '--reporter=json', file], {
      cwd: root,
      stdio: 'pipe',
    });
    return [];
  } catch (error) {
    const out = String((error as { stdout?: Buffer }).stdout ?? '');
    const report = JSON.parse(out) as {
      diagnostics: Array<{ category: string; location: { start?: { line: number } } }>;
    };
    // One import per line: the line of each finding names the import.
    return report.diagnostics
      .filter((d) => d.category === 'lint/style/noRestrictedImports')
      .map((d) => imports[(d.location.start?.line ?? 0) - 1] ?? '?');
  } finally {
    rmSync(file, { force: true });
  }
}

describe('layering', () => {
  it('keeps the call engine free of React and of every layer but base', () => {
    const found = violations('rtc', [
      'react',
      '../client/app-client',
      '../signaling/client',
      '../base/errors',
    ]);
    expect(new Set(found)).toEqual(
      new Set(['react', '../client/app-client', '../signaling/client']),
    );
  });

  it('keeps signaling, media, chat, verify and quality free of the UI and the composition root', () => {
    expect(
      new Set(violations('signaling', ['../ui/hooks', '../client/app-client', '../rtc'])),
    ).toEqual(new Set(['../ui/hooks', '../client/app-client']));
    expect(new Set(violations('media', ['react', '../base/errors']))).toEqual(new Set(['react']));
    expect(
      new Set(violations('chat', ['react', '../client/app-client', '../ui/hooks', '../rtc'])),
    ).toEqual(new Set(['react', '../client/app-client', '../ui/hooks']));
    expect(
      new Set(violations('verify', ['react', '../ui/hooks', '../rtc', '../base/errors'])),
    ).toEqual(new Set(['react', '../ui/hooks']));
    expect(new Set(violations('quality', ['react', '../ui/hooks', '../rtc']))).toEqual(
      new Set(['react', '../ui/hooks']),
    );
  });

  it('keeps base at the bottom', () => {
    expect(violations('base', ['../rtc', './errors'])).toEqual(['../rtc']);
  });
});
