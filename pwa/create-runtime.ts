/**
 * The composition root of the PWA's agent runtime, called in the runtime worker once this tab
 * holds the runtime lock (runtime-worker.ts).
 *
 * TODO(runtime issue): `createAgentRuntime` from shared/runtime does not exist yet. When it lands,
 * this function returns `createAgentRuntime({ storage: <Dexie adapter from shared/storage/dexie>,
 * transport, clock, rng, opaque })`. Until then the app says that it cannot start, instead of
 * pretending to work.
 */
import type { AgentRuntime } from '../shared/runtime/index.js';
import { RuntimeUnavailableError } from '../ui/errors/app-errors.js';

export function createPwaRuntime(): Promise<AgentRuntime> {
  return Promise.reject(
    new RuntimeUnavailableError('This build of the Sealdesk app does not include the agent runtime yet.'),
  );
}
