import { defineConfig } from 'vitest/config';
import { reporters } from './test/support/reporters.js';

// Node tests: unit, property, vectors, scenarios, attacks, relay. Browser tests have their own config.
export default defineConfig({
  test: {
    reporters: reporters('unit'),
    include: ['test/**/*.test.ts'],
    exclude: ['test/browser/**', 'test/e2e/**', 'node_modules/**'],
    // Two files at a time (vitest's default is one on two cores): most files wait on relay processes
    // and sockets, not on this CPU. Under helper load the unit run took 654 s this way against 1,408 s.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
