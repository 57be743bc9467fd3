import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // chDB binds one data directory per process: every test file gets its own process.
    pool: 'forks',
    // Timeouts only stop a hung test; speed is measured by `npm run bench`, never asserted.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
