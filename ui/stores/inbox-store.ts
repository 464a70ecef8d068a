/**
 * The team inbox as this device shows it: conversation summaries (decrypted previews, unread
 * counts), the histories opened so far, typing indicators, alerts per conversation and uploads in
 * progress. UI state only: every value comes from the runtime, every change goes through it.
 */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type {
  ChatMessage,
  ConversationActivity,
  ConversationSummary,
  TeamMemberActivity,
  HexId,
  MessageId,
  MessageStatus,
  PlainAlert,
} from '../../shared/runtime/index.js';
import { useRuntime } from '../app/injection.js';
import { describeError, type PersonMessage } from '../errors/describe-error.js';
import { useTeamStore } from './team-store.js';

/** Inbox filters (issue #15 item 1): all open, open and assigned to me, open and unassigned, snoozed, resolved. */
export const INBOX_FILTERS = {
  open: 'open',
  mine: 'mine',
  unassigned: 'unassigned',
  snoozed: 'snoozed',
  resolved: 'resolved',
} as const;
export type InboxFilter = (typeof INBOX_FILTERS)[keyof typeof INBOX_FILTERS];

/** Whether a conversation shows under a filter; `me` is this device's agent id (for "Mine"). */
export function matchesFilter(summary: ConversationSummary, filter: InboxFilter, me: HexId | undefined): boolean {
  if (filter === 'snoozed' || filter === 'resolved') return summary.status === filter;
  if (summary.status !== 'open') return false;
  if (filter === 'mine') return me !== undefined && summary.assignee === me;
  if (filter === 'unassigned') return summary.assignee === undefined;
  return true;
}

export interface Upload {
  readonly id: number;
  readonly name: string;
  readonly size: number;
  readonly done: number;
  readonly total: number;
  readonly error?: PersonMessage;
}

/** A typing indicator is dropped after this long without news (its "stopped" event may be lost). */
export const TYPING_TIMEOUT_MS = 6_000;

export const useInboxStore = defineStore('inbox', () => {
  const runtime = useRuntime();
  const team = useTeamStore();
  const summaries = ref<Record<HexId, ConversationSummary>>({});
  const histories = ref<Record<HexId, ChatMessage[]>>({});
  const typing = ref<Record<HexId, string>>({});
  /** PROTOCOL §9.9: the other agents viewing or typing, per conversation (the runtime expires them). */
  const teamActivity = ref<Record<HexId, readonly TeamMemberActivity[]>>({});
  const alerts = ref<Record<HexId, PlainAlert[]>>({});
  const uploads = ref<Record<HexId, Upload[]>>({});
  const filter = ref<InboxFilter>('open');
  const loaded = ref(false);
  const loadError = ref<PersonMessage | undefined>();
  const typingTimers = new Map<HexId, ReturnType<typeof setTimeout>>();
  let nextUpload = 1;

  const sorted = computed(() => Object.values(summaries.value).sort((a, b) => b.lastActivity - a.lastActivity));
  const me = computed(() => team.self?.agentId);
  const visible = computed(() => sorted.value.filter((summary) => matchesFilter(summary, filter.value, me.value)));
  const unreadTotal = computed(() => sorted.value.reduce((sum, summary) => sum + summary.unread, 0));
  const counts = computed(() => {
    const result: Record<InboxFilter, number> = { open: 0, mine: 0, unassigned: 0, snoozed: 0, resolved: 0 };
    for (const summary of sorted.value)
      for (const f of Object.values(INBOX_FILTERS)) if (matchesFilter(summary, f, me.value)) result[f]++;
    return result;
  });

  async function loadConversations(): Promise<void> {
    try {
      const list = await runtime.conversations();
      summaries.value = Object.fromEntries(list.map((summary) => [summary.conversationId, summary]));
      loadError.value = undefined;
    } catch (error) {
      loadError.value = describeError(error);
    } finally {
      loaded.value = true;
    }
  }

  /** The history and the alerts the runtime kept (an alert raised before this page attached shows too). */
  async function loadHistory(conversationId: HexId): Promise<void> {
    const [history, kept] = await Promise.all([runtime.history(conversationId), runtime.alerts(conversationId)]);
    histories.value[conversationId] = [...history];
    for (const alert of kept) addAlert(alert);
  }

  function upsertMessage(message: ChatMessage): void {
    const list = histories.value[message.conversationId];
    if (list === undefined) return; // not opened here: the summary event carries the preview
    const at = list.findIndex((existing) => existing.id === message.id);
    if (at >= 0) list[at] = message;
    else list.push(message);
  }

  function setStatus(messageId: MessageId, status: MessageStatus): void {
    for (const list of Object.values(histories.value)) {
      const at = list.findIndex((message) => message.id === messageId);
      const message = list[at];
      if (message !== undefined) {
        list[at] = { ...message, status };
        return;
      }
    }
  }

  function setTypingOf(conversationId: HexId, who: string, active: boolean): void {
    const timer = typingTimers.get(conversationId);
    if (timer !== undefined) clearTimeout(timer);
    typingTimers.delete(conversationId);
    if (!active) {
      typing.value = Object.fromEntries(Object.entries(typing.value).filter(([id]) => id !== conversationId));
      return;
    }
    typing.value = { ...typing.value, [conversationId]: who };
    typingTimers.set(
      conversationId,
      setTimeout(() => {
        setTypingOf(conversationId, who, false);
      }, TYPING_TIMEOUT_MS),
    );
  }

  /** Ids of alerts dismissed on this page: reading the kept alerts again does not bring them back. */
  const dismissedAlerts = new Set<string>();

  /**
   * Adds an alert once: the same id from the event and from the runtime's kept alerts is one alert.
   * An alert dismissed before (on any page of this device, kept by the runtime) is not shown.
   */
  function addAlert(alert: PlainAlert): void {
    if (alert.conversationId === undefined || alert.dismissed === true) return;
    if (alert.id !== undefined && dismissedAlerts.has(alert.id)) return;
    const shown = alerts.value[alert.conversationId] ?? [];
    if (alert.id !== undefined && shown.some((existing) => existing.id === alert.id)) return;
    alerts.value[alert.conversationId] = [...shown, alert];
  }

  /** Hides the alert here and has the runtime keep the dismissal (it stays dismissed after a reload). */
  function dismissAlert(conversationId: HexId, index: number): void {
    const id = alerts.value[conversationId]?.[index]?.id;
    alerts.value[conversationId] = (alerts.value[conversationId] ?? []).filter((_, i) => i !== index);
    if (id === undefined) return;
    dismissedAlerts.add(id);
    // A failed save (the runtime stopping) only means the alert shows again after a reload.
    runtime.dismissAlert(id, conversationId).catch(() => undefined);
  }

  async function sendText(conversationId: HexId, text: string): Promise<void> {
    const id = await runtime.sendText(conversationId, text);
    // The runtime announces its own message as an event; re-read if that event was missed.
    if (!(histories.value[conversationId] ?? []).some((message) => message.id === id))
      await loadHistory(conversationId);
  }

  async function sendFile(conversationId: HexId, file: File): Promise<void> {
    const upload: Upload = { id: nextUpload++, name: file.name, size: file.size, done: 0, total: file.size };
    const update = (change: Partial<Upload>): void => {
      uploads.value[conversationId] = (uploads.value[conversationId] ?? []).map((item) =>
        item.id === upload.id ? { ...item, ...change } : item,
      );
    };
    uploads.value[conversationId] = [...(uploads.value[conversationId] ?? []), upload];
    try {
      const id = await runtime.sendAttachment(conversationId, file, file.name, (done, total) => {
        update({ done, total });
      });
      uploads.value[conversationId] = (uploads.value[conversationId] ?? []).filter((item) => item.id !== upload.id);
      if (!(histories.value[conversationId] ?? []).some((message) => message.id === id))
        await loadHistory(conversationId);
    } catch (error) {
      update({ error: describeError(error) });
    }
  }

  function dismissUpload(conversationId: HexId, uploadId: number): void {
    uploads.value[conversationId] = (uploads.value[conversationId] ?? []).filter((item) => item.id !== uploadId);
  }

  /**
   * Marks the newest conversation message from someone else as read (read receipts cover everything
   * before it). A teammate's note is team-internal, not a conversation message: it has no receipt.
   */
  async function markRead(conversationId: HexId): Promise<void> {
    const summary = summaries.value[conversationId];
    const last = [...(histories.value[conversationId] ?? [])]
      .reverse()
      .find((message) => message.from !== 'self' && message.body.kind !== 'note');
    if (summary === undefined || last === undefined || summary.unread === 0) return;
    await runtime.markRead(conversationId, last.id);
    summaries.value[conversationId] = { ...summary, unread: 0 };
  }

  async function setTyping(conversationId: HexId, active: boolean): Promise<void> {
    await runtime.setTyping(conversationId, active);
  }

  async function closeConversation(conversationId: HexId): Promise<void> {
    await runtime.close(conversationId, 'resolved');
  }

  /** Team state (PROTOCOL §9.8): the change comes back as a `conversation` event on every device. */
  async function assign(conversationId: HexId, agentId: HexId | null): Promise<void> {
    await runtime.assign(conversationId, agentId);
  }

  async function setTeamStatus(
    conversationId: HexId,
    status: 'open' | 'resolved' | { readonly snoozedUntil: number },
  ): Promise<void> {
    await runtime.setStatus(conversationId, status);
  }

  /** An internal note: never sent to the visitor; it comes back as a `message` event of kind `note`. */
  async function addNote(conversationId: HexId, text: string): Promise<void> {
    await runtime.addNote(conversationId, text);
  }

  /** The conversation this device's agent views, as last told to the runtime. */
  let viewing: HexId | null = null;

  /** This device's agent views `conversationId` (null: none open), for the team (§9.9). */
  async function setViewing(conversationId: HexId | null): Promise<void> {
    viewing = conversationId;
    await runtime.setViewing(conversationId);
  }

  /**
   * The view of `conversationId` closed. Opening another conversation remounts the view, and Vue
   * runs the old view's unmount hook after the new view has set up: clearing then would tell the
   * team this agent views nothing while it views the new conversation.
   */
  async function stopViewing(conversationId: HexId): Promise<void> {
    if (viewing === conversationId) await setViewing(null);
  }

  /** A keystroke in the composer (`true`, the runtime throttles) or the draft sent or left (`false`). */
  async function setComposing(conversationId: HexId, active: boolean): Promise<void> {
    await runtime.setComposing(conversationId, active);
  }

  function onTeamActivity(activity: readonly ConversationActivity[]): void {
    teamActivity.value = Object.fromEntries(activity.map((a) => [a.conversationId, a.agents]));
  }

  function onSummary(summary: ConversationSummary): void {
    summaries.value[summary.conversationId] = summary;
  }

  return {
    summaries,
    histories,
    typing,
    teamActivity,
    alerts,
    uploads,
    filter,
    loaded,
    loadError,
    sorted,
    visible,
    unreadTotal,
    counts,
    loadConversations,
    loadHistory,
    upsertMessage,
    setStatus,
    setTypingOf,
    addAlert,
    dismissAlert,
    sendText,
    sendFile,
    dismissUpload,
    markRead,
    setTyping,
    closeConversation,
    assign,
    setTeamStatus,
    addNote,
    onSummary,
    setViewing,
    stopViewing,
    setComposing,
    onTeamActivity,
  };
});
