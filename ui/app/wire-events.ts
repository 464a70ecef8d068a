/** Routes every runtime event to the store that shows it; returns the function that unsubscribes. */
import type { AgentRuntime } from '../../shared/runtime/index.js';
import { useCannedStore } from '../stores/canned-store.js';
import { useInboxStore } from '../stores/inbox-store.js';
import { useLinkStore } from '../stores/link-store.js';
import { useNoticesStore } from '../stores/notices-store.js';
import { useSessionStore } from '../stores/session-store.js';
import { useTeamStore } from '../stores/team-store.js';

export function wireRuntimeEvents(runtime: AgentRuntime): () => void {
  const session = useSessionStore();
  const inbox = useInboxStore();
  const team = useTeamStore();
  const link = useLinkStore();
  const notices = useNoticesStore();
  const canned = useCannedStore();
  const unsubscribe = [
    runtime.on('connection', (state) => {
      session.setConnection(state);
    }),
    runtime.on('removed', (removal) => {
      session.setRemoved(removal);
    }),
    runtime.on('conversation', (summary) => {
      inbox.onSummary(summary);
    }),
    runtime.on('message', (message) => {
      inbox.upsertMessage(message);
    }),
    runtime.on('status', ({ messageId, status }) => {
      inbox.setStatus(messageId, status);
    }),
    runtime.on('typing', ({ conversationId, who, active }) => {
      inbox.setTypingOf(conversationId, who, active);
    }),
    runtime.on('alert', (alert) => {
      if (alert.conversationId === undefined) notices.fromAlert(alert);
      else inbox.addAlert(alert);
    }),
    runtime.on('devices', (change) => {
      notices.fromDeviceChange(change);
      void team.load();
    }),
    runtime.on('link', (phase) => {
      link.onPhase(phase);
      if (phase.phase === 'linked') void session.load();
    }),
    runtime.on('changeRequest', (request) => {
      team.onChangeRequest(request);
    }),
    runtime.on('changeRequestDenied', (denial) => {
      notices.fromDenial(denial);
    }),
    runtime.on('cannedReplies', (replies) => {
      canned.onReplies(replies);
    }),
    runtime.on('presence', (presence) => {
      canned.onPresence(presence);
    }),
    runtime.on('teamActivity', (activity) => {
      inbox.onTeamActivity(activity);
    }),
  ];
  return () => {
    for (const stop of unsubscribe) stop();
  };
}

/** Re-reads what the screens show (after the runtime's host restarted, events may have been missed). */
export async function refreshStores(): Promise<void> {
  const session = useSessionStore();
  await session.load();
  if (!session.enrolled) return;
  const inbox = useInboxStore();
  const notices = useNoticesStore();
  await Promise.all([
    inbox.loadConversations(),
    notices.loadKeptAlerts(),
    useTeamStore().load(),
    useCannedStore().load(),
    ...Object.keys(inbox.histories).map((id) => inbox.loadHistory(id)),
  ]);
}
