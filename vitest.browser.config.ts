import { defineConfig } from 'vitest/config';
import { reporters } from './test/support/reporters.js';

// Tests that drive real Chromium through puppeteer-core. One Chromium at a time on two cores.
export default defineConfig({
  test: {
    reporters: reporters('browser'),
    include: ['test/browser/**/*.test.ts', 'test/e2e/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
