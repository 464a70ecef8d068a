// The crypto suites in Firefox ESR and WebKitGTK, the other engines visitors use: X25519 (RFC 7748),
// Ed25519, the wrapped X25519 storage form, and the engine quirks shared/crypto works around.
import { beforeAll, describe, expect, it } from 'vitest';
import { cryptoEngineSuites } from '../cases/all-suites.js';
import type { PortableResult } from '../cases/portable-case.js';
import { runPageEntryIn } from '../support/page-runner.js';

const ENTRY = new URL('./crypto-engines-entry.ts', import.meta.url).pathname;

for (const engine of ['firefox', 'webkit'] as const) {
  describe(`crypto in ${engine}`, () => {
    const results = new Map<string, PortableResult>();

    beforeAll(async () => {
      for (const r of await runPageEntryIn(engine, ENTRY, 'sealdeskCryptoResults', 180_000)) {
        results.set(`${r.suite}\u0000${r.name}`, r);
      }
    }, 240_000);

    for (const suite of cryptoEngineSuites) {
      for (const c of suite.cases) {
        it(`${suite.name}: ${c.name}`, () => {
          const result = results.get(`${suite.name}\u0000${c.name}`);
          expect(result, 'the case did not report from the browser').toBeDefined();
          expect(result?.error).toBeUndefined();
          expect(result?.ok).toBe(true);
        });
      }
    }
  });
}
