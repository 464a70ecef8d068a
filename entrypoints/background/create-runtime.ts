/**
 * The composition root of the extension's agent runtime, called once per service-worker life by
 * the runtime host (ui/bridge/runtime-host.ts).
 *
 * TODO(runtime issue): `createAgentRuntime` from shared/runtime does not exist yet. When it lands,
 * this function returns `createAgentRuntime({ storage: <Dexie adapter from shared/storage/dexie>,
 * transport, clock, rng, opaque })`. Until then the build says so instead of pretending: every
 * page shows "Sealdesk cannot start on this device".
 */
import type { AgentRuntime } from '../../shared/runtime/index.js';
import { RuntimeUnavailableError } from '../../ui/errors/app-errors.js';

export function createBackgroundRuntime(): Promise<AgentRuntime> {
  return Promise.reject(
    new RuntimeUnavailableError('This build of the Sealdesk extension does not include the agent runtime yet.'),
  );
}
