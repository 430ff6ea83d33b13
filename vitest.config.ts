import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One PostgreSQL server for the whole run (TEST_DATABASE_URL, or an embedded one).
    globalSetup: ['test/support/postgres-global-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // End-to-end tests start the real process; keep them from competing for the two cores.
    fileParallelism: true,
    maxWorkers: 2,
  },
})
