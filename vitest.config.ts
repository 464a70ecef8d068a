import { defineConfig } from 'vitest/config';
import { reporters } from './test/support/reporters.js';

// Node tests: unit, property, vectors, scenarios, attacks, relay. Browser tests have their own config.
export default defineConfig({
  test: {
    reporters: reporters('unit'),
    include: ['test/**/*.test.ts'],
    exclude: ['test/browser/**', 'test/e2e/**', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
