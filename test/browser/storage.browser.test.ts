// The ClientStore contract (test/cases/storage/) over REAL IndexedDB in Chromium, Firefox and WebKit
// (WebKit stores X25519 CryptoKeys as null: the wrapped form is what makes the key cases pass there):
// the tiny adapter, the Dexie adapter, and memory for comparison, plus the tiny adapter's own cases.
// One vitest test per case, adapter and engine.
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PortableResult } from '../cases/portable-case.js';
import { memoryHarness } from '../cases/storage/harnesses.js';
import { storeContractSuite } from '../cases/storage/store-contract.cases.js';
import { idbAdapterSuite } from '../cases/storage/idb-adapter.cases.js';
import { ENGINES } from '../support/browsers/index.js';
import { runPageEntryIn } from '../support/page-runner.js';

// The case names do not depend on the adapter or the factory; the page runs them for each adapter.
const contractCases = storeContractSuite(memoryHarness()).cases.map((c) => c.name);
const adapterSuite = idbAdapterSuite({ indexedDB: new IDBFactory(), IDBKeyRange });
const suites: readonly (readonly [string, readonly string[]])[] = [
  ...['memory', 'tiny IndexedDB', 'Dexie'].map((label) => [`store contract: ${label}`, contractCases] as const),
  [adapterSuite.name, adapterSuite.cases.map((c) => c.name)],
];
for (const engine of ENGINES) {
  describe(`storage over ${engine}'s IndexedDB`, () => {
    const results = new Map<string, PortableResult>();

    beforeAll(async () => {
      const entry = new URL('./storage-page-entry.ts', import.meta.url).pathname;
      for (const r of await runPageEntryIn(engine, entry, 'sealdeskStorageResults')) {
        results.set(`${r.suite}\u0000${r.name}`, r);
      }
    }, 120_000);

    for (const [suite, names] of suites) {
      describe(`${suite} (${engine})`, () => {
        for (const name of names) {
          it(name, () => {
            const result = results.get(`${suite}\u0000${name}`);
            expect(result, 'the case did not report from the browser').toBeDefined();
            expect(result?.error).toBeUndefined();
            expect(result?.ok).toBe(true);
          });
        }
      });
    }
  });
}
