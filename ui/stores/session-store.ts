/** Whether this device is set up, where its relay is, and the runtime's connection state. */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { ConnectionState, DeviceRemoval, HexId } from '../../shared/runtime/index.js';
import { useRuntime } from '../app/injection.js';
import { describeError, type PersonMessage } from '../errors/describe-error.js';

export const useSessionStore = defineStore('session', () => {
  const runtime = useRuntime();
  const loaded = ref(false);
  const enrolled = ref(false);
  const relayUrl = ref<string | undefined>();
  const accountId = ref<HexId | undefined>();
  const connection = ref<ConnectionState>('connecting');
  /** PROTOCOL §4.8: an owner removed this device (the runtime checked the signed list); shown instead of every screen. */
  const removed = ref<DeviceRemoval | undefined>();
  /** Why the runtime cannot be used at all (shown instead of every screen). */
  const startError = ref<PersonMessage | undefined>();

  async function load(): Promise<void> {
    try {
      const status = await runtime.status();
      enrolled.value = status.enrolled;
      relayUrl.value = status.relayUrl;
      accountId.value = status.accountId;
      removed.value = status.removed;
      startError.value = undefined;
    } catch (error) {
      startError.value = describeError(error);
    } finally {
      loaded.value = true;
    }
  }

  function setConnection(state: ConnectionState): void {
    connection.value = state;
  }

  function setRemoved(removal: DeviceRemoval): void {
    removed.value = removal;
  }

  return { loaded, enrolled, relayUrl, accountId, connection, removed, startError, load, setConnection, setRemoved };
});
