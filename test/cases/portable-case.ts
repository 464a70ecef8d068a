/**
 * A test case that runs unchanged in Node (vitest) and in a real Chromium page (puppeteer), because
 * WebCrypto differs by engine. Cases use only `./assert.ts`, never vitest's `expect`, so that
 * esbuild can bundle them for the browser.
 */
export interface PortableCase {
  readonly name: string;
  readonly run: () => Promise<void> | void;
}

export interface PortableSuite {
  readonly name: string;
  readonly cases: readonly PortableCase[];
}

/** Outcome of one case, as reported back from the browser. */
export interface PortableResult {
  readonly suite: string;
  readonly name: string;
  readonly ok: boolean;
  readonly error?: string;
}

export async function runSuites(suites: readonly PortableSuite[]): Promise<PortableResult[]> {
  const results: PortableResult[] = [];
  for (const suite of suites) {
    for (const c of suite.cases) {
      try {
        await c.run();
        results.push({ suite: suite.name, name: c.name, ok: true });
      } catch (error) {
        const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        results.push({ suite: suite.name, name: c.name, ok: false, error: text });
      }
    }
  }
  return results;
}
