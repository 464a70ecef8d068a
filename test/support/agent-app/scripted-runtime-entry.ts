/**
 * TEST ONLY: stands in for entrypoints/background/create-runtime.ts and pwa/create-runtime.ts in
 * the test builds of the extension and the PWA (build-agent-app.ts swaps the module). Exports both
 * factory names with the same signatures as the modules it replaces.
 */
import type { AgentRuntime } from '../../../shared/runtime/index.js';
import { ScriptedAgentRuntime } from './scripted-agent-runtime.js';

export function createBackgroundRuntime(): Promise<AgentRuntime> {
  return new ScriptedAgentRuntime().restore();
}

export function createPwaRuntime(): Promise<AgentRuntime> {
  return new ScriptedAgentRuntime().restore();
}
