import { defineConfig } from 'vitest/config';

// Unit tests sit beside the code; conformance, cross-host and end-to-end suites
// live in test/. The summary reporter adds a plain `N passed, N failed` line.
export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts', 'bench/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'test/hosts/workerd/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
