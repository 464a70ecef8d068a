/** Whether this device is set up, where its relay is, and the runtime's connection state. */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { ConnectionState, HexId } from '../../shared/runtime/index.js';
import { useRuntime } from '../app/injection.js';
import { describeError, type PersonMessage } from '../errors/describe-error.js';

export const useSessionStore = defineStore('session', () => {
  const runtime = useRuntime();
  const loaded = ref(false);
  const enrolled = ref(false);
  const relayUrl = ref<string | undefined>();
  const accountId = ref<HexId | undefined>();
  const connection = ref<ConnectionState>('connecting');
  /** Why the runtime cannot be used at all (shown instead of every screen). */
  const startError = ref<PersonMessage | undefined>();

  async function load(): Promise<void> {
    try {
      const status = await runtime.status();
      enrolled.value = status.enrolled;
      relayUrl.value = status.relayUrl;
      accountId.value = status.accountId;
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

  return { loaded, enrolled, relayUrl, accountId, connection, startError, load, setConnection };
});
