/**
 * The team's canned replies and each agent's presence (PROTOCOL §9.7), as the runtime holds them.
 * Changes come back as runtime events (`cannedReplies`, `presence`); other devices' changes arrive
 * at the runtime's archive sync, which `load({ sync: true })` asks for.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type {
  AgentPresence,
  CannedReply,
  CannedReplyInput,
  HexId,
  PresenceStatus,
} from '../../shared/runtime/index.js';
import { useRuntime } from '../app/injection.js';
import { describeError, type PersonMessage } from '../errors/describe-error.js';

export const PRESENCE_LABELS: Readonly<Record<PresenceStatus, string>> = { online: 'Online', away: 'Away' };

/** By shortcut, as the list and the picker show them. */
function byShortcut(list: readonly CannedReply[]): readonly CannedReply[] {
  return [...list].sort((a, b) => a.shortcut.localeCompare(b.shortcut) || a.id.localeCompare(b.id));
}

export const useCannedStore = defineStore('canned', () => {
  const runtime = useRuntime();
  const replies = ref<readonly CannedReply[]>([]);
  const presence = ref<readonly AgentPresence[]>([]);
  const loaded = ref(false);
  const loadError = ref<PersonMessage | undefined>();

  async function load(options: { readonly sync?: boolean } = {}): Promise<void> {
    try {
      const [list, statuses] = await Promise.all([runtime.cannedReplies(options), runtime.presence()]);
      replies.value = byShortcut(list);
      presence.value = statuses;
      loadError.value = undefined;
    } catch (error) {
      loadError.value = describeError(error);
    } finally {
      loaded.value = true;
    }
  }

  async function save(input: CannedReplyInput): Promise<void> {
    await runtime.saveCannedReply(input);
  }

  async function remove(id: HexId): Promise<void> {
    await runtime.deleteCannedReply(id);
  }

  async function setPresence(status: PresenceStatus): Promise<void> {
    await runtime.setPresence(status);
  }

  /** The status an agent set, if any (shown beside the agent in the team view and as assignee). */
  function presenceOf(agentId: HexId): PresenceStatus | undefined {
    return presence.value.find((p) => p.agentId === agentId)?.status;
  }

  function onReplies(list: readonly CannedReply[]): void {
    replies.value = byShortcut(list);
  }

  function onPresence(list: readonly AgentPresence[]): void {
    presence.value = list;
  }

  return { replies, presence, loaded, loadError, load, save, remove, setPresence, presenceOf, onReplies, onPresence };
});
