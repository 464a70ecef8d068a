// Bundled by esbuild and loaded into Chromium: the store contract over the page's real IndexedDB.
import { runSuites, type PortableResult } from '../cases/portable-case.js';
import { dexieHarness, indexedDbHarness, memoryHarness } from '../cases/storage/harnesses.js';
import { storeContractSuite } from '../cases/storage/store-contract.cases.js';
import { idbAdapterSuite } from '../cases/storage/idb-adapter.cases.js';

declare global {
  interface Window {
    sealdeskStorageResults?: Promise<PortableResult[]>;
  }
}

const env = { indexedDB, IDBKeyRange };
window.sealdeskStorageResults = runSuites([
  ...[memoryHarness(), indexedDbHarness(env), dexieHarness(env)].map(storeContractSuite),
  idbAdapterSuite(env),
]);
