/**
 * shared/protocol: the public API of the protocol layer, for everything outside it (runtime,
 * storage, transport, UIs, tests, scripts). It re-exports each sub-module's index.ts; inside the
 * layer, a sub-module imports another only through that sub-module's index.ts (docs/ARCHITECTURE.md).
 */
export * from './core/index.js';
export * from './identity/index.js';
export * from './directory/index.js';
export * from './session/index.js';
export * from './conversation/index.js';
export * from './attachment/index.js';
export * from './archive/index.js';
export * from './linking/index.js';
export * from './widget-config/index.js';
// core/ and identity/ both export a `labelled`; here it is identity's, typed to IDENTITY_LABELS
// (core's untyped one is for the label families inside the layer).
export { labelled } from './identity/index.js';
