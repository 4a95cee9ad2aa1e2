import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'db',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Opening an in-memory PGlite runs initdb (~4 s on CI-sized machines).
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
