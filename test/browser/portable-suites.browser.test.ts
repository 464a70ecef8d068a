// The portable suites (test/cases/: WebCrypto, protocol, wire format), bundled with esbuild and run inside real Chromium.
// One vitest test per case, so a browser-only failure names the exact case.
import { beforeAll, describe, expect, it } from 'vitest';
import { allSuites } from '../cases/all-suites.js';
import type { PortableResult } from '../cases/portable-case.js';
import { runPageEntry } from '../support/page-runner.js';

const results = new Map<string, PortableResult>();

beforeAll(async () => {
  const reported = await runPageEntry(new URL('./page-entry.ts', import.meta.url).pathname, 'sealdeskResults');
  for (const r of reported) results.set(`${r.suite}\u0000${r.name}`, r);
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
