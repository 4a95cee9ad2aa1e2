import { defineConfig } from 'vitest/config';

// `pnpm test` at the root runs every package's own Vitest project.
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'apps/web/vitest.e2e.config.ts'],
  },
});
