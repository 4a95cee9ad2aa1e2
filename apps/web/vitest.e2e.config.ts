import { defineProject } from 'vitest/config';

// Browser tests: the real web app (next build + next start) and the real server, driven in
// Debian's Chromium with fake media. One file at a time: they share one server and the CPU.
export default defineProject({
  test: {
    name: 'web-e2e',
    include: ['e2e/**/*.e2e.test.ts'],
    environment: 'node',
    globalSetup: ['e2e/global-setup.ts'],
    fileParallelism: false,
    // Under the root `pnpm test`, run after the other projects instead of competing for CPU.
    sequence: { groupOrder: 1 },
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
