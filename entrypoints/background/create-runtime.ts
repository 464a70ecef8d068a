/**
 * The composition root of the extension's agent runtime, called once per service-worker life by
 * the runtime host (ui/bridge/runtime-host.ts). The runtime reloads the device from IndexedDB and
 * reconnects, so a worker Chrome stopped is simply started again by the next page or event.
 */
import type { AgentRuntime } from '../../shared/runtime/index.js';
import { createBrowserAgentRuntime } from '../../ui/runtime/create-browser-agent-runtime.js';

export function createBackgroundRuntime(): Promise<AgentRuntime> {
  return createBrowserAgentRuntime();
}
