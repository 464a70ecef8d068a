/** The agent apps' storage adapter (Dexie). Only the extension and the PWA import this module. */
export { openDexieStore, type DexieStoreOptions } from './dexie-store.js';
export { DEXIE_VERSIONS, type DexieVersion } from './dexie-schema.js';
