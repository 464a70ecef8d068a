/**
 * The composition root of the PWA's agent runtime, called in the runtime worker once this tab
 * holds the runtime lock (runtime-worker.ts), so one tab at a time owns the device's database.
 */
import type { AgentRuntime } from '../shared/runtime/index.js';
import { createBrowserAgentRuntime } from '../ui/runtime/create-browser-agent-runtime.js';

export function createPwaRuntime(): Promise<AgentRuntime> {
  return createBrowserAgentRuntime();
}
