// Bundled by esbuild and loaded into Chromium: runs every portable suite, publishes the results.
import { allSuites } from '../cases/all-suites.js';
import { runSuites, type PortableResult } from '../cases/portable-case.js';

declare global {
  interface Window {
    sealdeskResults?: Promise<PortableResult[]>;
  }
}

window.sealdeskResults = runSuites(allSuites);
