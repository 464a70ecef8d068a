// Bundled by esbuild and loaded into Firefox and WebKit: the crypto suites the widget depends on,
// run in the engine visitors use (Chromium runs every suite: portable-suites.browser.test.ts).
import { cryptoEngineSuites } from '../cases/all-suites.js';
import { runSuites, type PortableResult } from '../cases/portable-case.js';

declare global {
  interface Window {
    sealdeskCryptoResults?: Promise<PortableResult[]>;
  }
}

window.sealdeskCryptoResults = runSuites(cryptoEngineSuites);
