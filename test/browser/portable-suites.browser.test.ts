// The portable suites (test/cases/: WebCrypto, protocol, wire format), bundled with esbuild and run inside real Chromium.
// One vitest test per case, so a browser-only failure names the exact case.
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allSuites } from '../cases/all-suites.js';
import type { PortableResult } from '../cases/portable-case.js';
import { launchChromium, type LaunchedChromium } from '../support/chromium.js';
import { serveStatic, type StaticServer } from '../support/static-server.js';

let chromium: LaunchedChromium | undefined;
let server: StaticServer | undefined;
const results = new Map<string, PortableResult>();

beforeAll(async () => {
  const bundle = await build({
    entryPoints: [new URL('./page-entry.ts', import.meta.url).pathname],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const script = bundle.outputFiles[0]?.contents;
  if (script === undefined) throw new Error('esbuild produced no bundle');
  server = await serveStatic(
    new Map([
      [
        '/',
        {
          contentType: 'text/html',
          body: '<!doctype html><meta charset="utf-8"><script type="module" src="/cases.js"></script>',
        },
      ],
      ['/cases.js', { contentType: 'text/javascript', body: script }],
    ]),
  );
  chromium = await launchChromium();
  const page = await chromium.browser.newPage();
  page.on('pageerror', (error) => {
    console.error('page error:', error);
  });
  await page.goto(server.origin + '/');
  await page.waitForFunction(() => window.sealdeskResults !== undefined);
  const reported = await page.evaluate(() => window.sealdeskResults ?? Promise.resolve([]));
  for (const r of reported) results.set(`${r.suite}\u0000${r.name}`, r);
});

afterAll(async () => {
  await chromium?.close();
  await server?.close();
});

for (const suite of allSuites) {
  describe(`${suite.name} (chromium)`, () => {
    for (const c of suite.cases) {
      it(c.name, () => {
        const result = results.get(`${suite.name}\u0000${c.name}`);
        expect(result, 'the case did not report from the browser').toBeDefined();
        expect(result?.error).toBeUndefined();
        expect(result?.ok).toBe(true);
      });
    }
  });
}
