/**
 * The agent runtime on a browser's own parts, shared by the extension's background and the PWA's
 * runtime worker (their create-runtime.ts): the Dexie store of shared/storage/dexie, the OPAQUE
 * client of shared/transport/opaque, the platform's fetch and WebSocket, and the
 * embed snippet made from the widget build the relay serves (relay-snippet.ts). Only the agent apps import
 * this file, so Dexie and OPAQUE never reach the widget (docs/ARCHITECTURE.md). The relay address is
 * not chosen here: the person types it at onboarding and the runtime stores it with the account.
 */
import {
  type AgentRuntime,
  RUNTIME_RECORD_VERSIONS,
  type RuntimeShapes,
  createAgentRuntime,
} from '../../shared/runtime/index.js';
import type { FetchLike } from '../../shared/transport/index.js';
import { openDexieStore } from '../../shared/storage/dexie/index.js';
import { deleteIndexedDbStore } from '../../shared/storage/index.js';
import { PREFS_DATABASE } from '../app/device-prefs.js';
import { serenityOpaqueClient } from '../../shared/transport/opaque/index.js';
import { relaySnippet } from './relay-snippet.js';

/** One database per app install; the name never changes (it holds the device's keys). */
export const AGENT_DATABASE_NAME = 'sealdesk-agent';

export async function createBrowserAgentRuntime(): Promise<AgentRuntime> {
  const store = await openDexieStore<RuntimeShapes>({
    name: AGENT_DATABASE_NAME,
    acceptedVersions: RUNTIME_RECORD_VERSIONS,
  });
  // Called unbound: a window's or worker's fetch throws "Illegal invocation" as a method of another object.
  const platformFetch: FetchLike = (url, init) => fetch(url, init);
  return createAgentRuntime({
    store,
    opaque: serenityOpaqueClient(),
    fetch: platformFetch,
    WebSocket,
    snippetTag: relaySnippet(platformFetch),
    // PROTOCOL §4.8: a removed device's "Erase this device's data": both of the app's databases go.
    erase: async () => {
      await store.close();
      await deleteIndexedDbStore({ name: AGENT_DATABASE_NAME });
      await deleteIndexedDbStore({ name: PREFS_DATABASE });
    },
  });
}
