/**
 * Every portable suite: run in Node by test/unit/portable-suites.test.ts and in real Chromium by
 * test/browser/portable-suites.browser.test.ts. Add a suite here and it runs in both.
 */
import type { PortableSuite } from './portable-case.js';

export const allSuites: readonly PortableSuite[] = [];
