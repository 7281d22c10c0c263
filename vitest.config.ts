import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts', '**/*.e2e.ts'],
    exclude: ['node_modules/**'],
    // Real servers on ephemeral ports and an in-process Postgres: give them time to start,
    // and keep parallelism to what a 2-core machine can carry.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
