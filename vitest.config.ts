import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // graphql ships CJS (main) and ESM (module) builds; Node loads the CJS one for every package, so
  // tests must too, or graphql-tools and the test's own code hold two realms of graphql.
  resolve: {
    alias: [
      {
        find: /^graphql$/,
        replacement: fileURLToPath(new URL('./node_modules/graphql/index.js', import.meta.url)),
      },
    ],
  },
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
