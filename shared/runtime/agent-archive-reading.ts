/**
 * What a device shows of the history records it read (PROTOCOL §9.2): conversations it has no
 * session in (they happened before it was linked) and the earlier messages of those it has. A
 * message already in the device's own record wins; archived ones come first, in their sender's
 * time order (not trusted for order, like every `sentAt`).
 */
import type { ArchivedMessage } from './agent-archive-record.js';
import type { ConversationSummary } from './api-agent.js';
import type { ChatMessage, HexId } from './api-common.js';
import { previewOf, previewable } from './conversation-record.js';

export function mergeHistory(
  local: readonly ChatMessage[],
  archived: readonly ArchivedMessage[],
  conversationId: HexId,
): ChatMessage[] {
  const earlier = archived
    .map((a) => a.message)
    .filter((m) => m.conversationId === conversationId && !local.some((l) => l.id === m.id))
    .sort((a, b) => a.sentAt - b.sentAt);
  return [...earlier, ...local];
}

/** The newest previewable archived message of one conversation, in its sender's time order. */
function newestArchived(archived: readonly ArchivedMessage[], conversationId: HexId): ChatMessage | undefined {
  let newest: ChatMessage | undefined;
  for (const { message } of archived)
    if (message.conversationId === conversationId && previewable(message) && message.sentAt >= (newest?.sentAt ?? 0))
      newest = message;
  return newest;
}

/**
 * The summary of a conversation this device keeps a record of, when that record shows no message
 * yet (it was linked after the chat began: its first frame there was, say, a sibling's device list,
 * §7.6): the preview and time of the newest archived message, as when it held the archive only.
 */
export function withArchivedPreview(
  summary: ConversationSummary,
  archived: readonly ArchivedMessage[],
): ConversationSummary {
  if (summary.preview !== '') return summary;
  const newest = newestArchived(archived, summary.conversationId);
  return newest === undefined ? summary : { ...summary, preview: previewOf(newest), lastActivity: newest.receivedAt };
}

/** Summaries of the archived conversations this device holds no record of. */
export function archivedSummaries(
  archived: readonly ArchivedMessage[],
  localIds: ReadonlySet<HexId>,
): ConversationSummary[] {
  const byConversation = new Map<HexId, ChatMessage[]>();
  for (const { message } of archived) {
    if (localIds.has(message.conversationId)) continue;
    const list = byConversation.get(message.conversationId) ?? [];
    list.push(message);
    byConversation.set(message.conversationId, list);
  }
  return [...byConversation].map(([conversationId, messages]) => {
    const sorted = [...messages].sort((a, b) => a.sentAt - b.sentAt);
    const shown = sorted.filter(previewable);
    const closed = sorted.some((m) => m.body.kind === 'close');
    return {
      conversationId,
      preview: previewOf(shown.at(-1)),
      lastActivity: Math.max(...sorted.map((m) => m.receivedAt)),
      unread: 0,
      status: closed ? 'resolved' : 'open',
      closed,
      joinedLate: true,
    };
  });
}
