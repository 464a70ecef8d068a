/** The runtime and platform a component reaches through inject(), provided once by createAgentApp. */
import { inject, type InjectionKey } from 'vue';
import type { AgentRuntime } from '../../shared/runtime/index.js';
import { UsageError } from '../../shared/errors/index.js';
import type { AgentPlatform } from './platform.js';

export const RUNTIME_KEY: InjectionKey<AgentRuntime> = Symbol('sealdesk-runtime');
export const PLATFORM_KEY: InjectionKey<AgentPlatform> = Symbol('sealdesk-platform');

export function useRuntime(): AgentRuntime {
  const runtime = inject(RUNTIME_KEY);
  if (runtime === undefined) throw new UsageError('useRuntime() outside an app made by createAgentApp');
  return runtime;
}

export function usePlatform(): AgentPlatform {
  const platform = inject(PLATFORM_KEY);
  if (platform === undefined) throw new UsageError('usePlatform() outside an app made by createAgentApp');
  return platform;
}
