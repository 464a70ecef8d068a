// The ClientStore contract (test/cases/storage/) over REAL IndexedDB in Chromium: the tiny adapter,
// the Dexie adapter, and memory for comparison. One vitest test per case and adapter.
import { beforeAll, describe, expect, it } from 'vitest';
import type { PortableResult } from '../cases/portable-case.js';
import { memoryHarness } from '../cases/storage/harnesses.js';
import { storeContractSuite } from '../cases/storage/store-contract.cases.js';
import { runPageEntry } from '../support/page-runner.js';

const results = new Map<string, PortableResult>();

beforeAll(async () => {
  const reported = await runPageEntry(
    new URL('./storage-page-entry.ts', import.meta.url).pathname,
    'sealdeskStorageResults',
  );
  for (const r of reported) results.set(`${r.suite}\u0000${r.name}`, r);
});

// The case names do not depend on the adapter; the page runs them for each of these.
const caseNames = storeContractSuite(memoryHarness()).cases.map((c) => c.name);
for (const label of ['memory', 'tiny IndexedDB', 'Dexie']) {
  const suite = `store contract: ${label}`;
  describe(`${suite} (chromium)`, () => {
    for (const name of caseNames) {
      it(name, () => {
        const result = results.get(`${suite}\u0000${name}`);
        expect(result, 'the case did not report from the browser').toBeDefined();
        expect(result?.error).toBeUndefined();
        expect(result?.ok).toBe(true);
      });
    }
  });
}
