// The ClientStore contract against the three adapters in Node: memory, and both IndexedDB adapters
// over fake-indexeddb, and the tiny adapter's own cases. The same cases run over real IndexedDB in
// Chromium (test/browser/storage.browser.test.ts).
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, it } from 'vitest';
import { dexieHarness, indexedDbHarness, memoryHarness } from '../../cases/storage/harnesses.js';
import { storeContractSuite } from '../../cases/storage/store-contract.cases.js';
import { idbAdapterSuite } from '../../cases/storage/idb-adapter.cases.js';

const env = { indexedDB: new IDBFactory(), IDBKeyRange };

for (const suite of [
  ...[memoryHarness(), indexedDbHarness(env), dexieHarness(env)].map(storeContractSuite),
  idbAdapterSuite(env),
]) {
  describe(`${suite.name} (node)`, () => {
    for (const c of suite.cases) it(c.name, c.run);
  });
}
