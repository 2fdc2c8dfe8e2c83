import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Two cores: more workers only add contention between suites that start servers.
    maxWorkers: 2,
    globalSetup: ['test/helpers/global-setup.ts'],
    // The JSON report lets .ci/run print the plain "N passed, N failed" totals line.
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
  },
});
