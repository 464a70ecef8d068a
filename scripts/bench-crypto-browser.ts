/**
 * Runs the protocol benchmark (bench-crypto-core.ts) inside real headless Chromium: esbuild
 * bundles bench-crypto-page.ts, a static server on 127.0.0.1 (a secure context, so WebCrypto
 * works) serves it (test/support/page-runner.ts), puppeteer-core drives Chromium with the
 * project's flags (test/support/chromium.ts).
 */
import { launchChromium } from '../test/support/chromium.js';
import { serveBundledPage } from '../test/support/page-runner.js';
import type { BenchRow } from './bench-crypto-core.js';

export interface BrowserBenchResult {
  readonly version: string;
  readonly rows: BenchRow[];
}

export async function runBrowserBench(rounds: number, deviceCounts: readonly number[]): Promise<BrowserBenchResult> {
  const server = await serveBundledPage(new URL('./bench-crypto-page.ts', import.meta.url).pathname);
  try {
    const chromium = await launchChromium();
    try {
      const page = await chromium.browser.newPage();
      page.setDefaultTimeout(600_000);
      const errors: unknown[] = [];
      page.on('pageerror', (error) => errors.push(error));
      await page.goto(`${server.origin}/?rounds=${rounds}&devices=${deviceCounts.join(',')}`);
      await page.waitForFunction(() => window.sealdeskBench !== undefined);
      const rows = await page.evaluate(
        () => window.sealdeskBench ?? Promise.reject(new Error('no benchmark on the page')),
      );
      if (errors.length > 0) throw new Error('the benchmark page reported an error', { cause: errors[0] });
      return { version: await chromium.browser.version(), rows };
    } finally {
      await chromium.close();
    }
  } finally {
    await server.close();
  }
}
