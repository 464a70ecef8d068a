/**
 * A runtime bridge for unit tests: a host serving scripted runtimes (a new one per start) and a
 * client in the "page", connected through channel pairs of one mode (bridge-pair.ts). Every setup
 * is stopped by `disposeBridges` (call it after each test).
 */
import type { AgentRuntime } from '../../../shared/runtime/index.js';
import type { ChannelMode } from '../../../ui/bridge/bridge-channel.js';
import { createRuntimeClient, type RuntimeClient } from '../../../ui/bridge/runtime-client.js';
import { createRuntimeHost, type RuntimeHost } from '../../../ui/bridge/runtime-host.js';
import { ScriptedAgentRuntime } from '../../support/agent-app/scripted-agent-runtime.js';
import { channelPair, type ChannelPair } from './bridge-pair.js';

export const ACCOUNT = {
  relayUrl: 'https://relay.example',
  businessName: 'Harbour Dental Clinic',
  ownerName: 'Maria Santos',
  username: 'harbour-dental',
  password: 'tide pool lantern orchard',
  deviceKind: 'extension',
} as const;

export interface BridgeSetup {
  readonly client: RuntimeClient;
  readonly host: RuntimeHost;
  readonly pairs: ChannelPair[];
  /** The scripted runtimes the host started, in order (none when `start` was given). */
  readonly runtimes: ScriptedAgentRuntime[];
}

const cleanups: (() => void)[] = [];

export function disposeBridges(): void {
  for (const cleanup of cleanups.splice(0)) cleanup();
}

export function bridgeSetup(mode: ChannelMode, start?: () => Promise<AgentRuntime>): BridgeSetup {
  const runtimes: ScriptedAgentRuntime[] = [];
  const host = createRuntimeHost(
    start ??
      (() => {
        const runtime = new ScriptedAgentRuntime(1);
        runtimes.push(runtime);
        return Promise.resolve(runtime);
      }),
  );
  const pairs: ChannelPair[] = [];
  const client = createRuntimeClient(
    () => {
      const pair = channelPair(mode);
      pairs.push(pair);
      host.accept(pair.host);
      return pair.page;
    },
    { reconnectMs: 5, maxReconnectMs: 20 },
  );
  cleanups.push(() => {
    client.dispose();
    void host.stop();
  });
  return { client, host, pairs, runtimes };
}
