// The ClientStore contract against the three adapters in Node: memory, and both IndexedDB adapters
// over fake-indexeddb. The same cases run over real IndexedDB in Chromium (test/browser/).
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, it } from 'vitest';
import { dexieHarness, indexedDbHarness, memoryHarness } from '../../cases/storage/harnesses.js';
import { storeContractSuite } from '../../cases/storage/store-contract.cases.js';

const env = { indexedDB: new IDBFactory(), IDBKeyRange };

for (const harness of [memoryHarness(), indexedDbHarness(env), dexieHarness(env)]) {
  const suite = storeContractSuite(harness);
  describe(`${suite.name} (node)`, () => {
    for (const c of suite.cases) it(c.name, c.run);
  });
}
