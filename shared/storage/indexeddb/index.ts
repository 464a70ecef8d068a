/** The visitor widget's storage adapter: plain IndexedDB, no library. */
export { openIndexedDbStore, type IndexedDbStoreOptions } from './idb-store.js';
export { IDB_UPGRADES, type IdbUpgrade } from './idb-schema.js';
