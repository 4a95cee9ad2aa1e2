#!/usr/bin/env node
// Production start: builds dist/main.js when a source changed (scripts/build.mjs), then runs
// it in this very process (no wrapper process holding memory, signals reach the server as
// they are) with source maps on, so stack traces point at the TypeScript.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildIfStale } from './build.mjs';

const serverDir = join(dirname(fileURLToPath(import.meta.url)), '..');
await buildIfStale();
process.setSourceMapsEnabled(true);
await import(pathToFileURL(join(serverDir, 'dist', 'main.js')).href);
