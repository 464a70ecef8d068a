/**
 * What a device shows of the history records it read (PROTOCOL §9.2): conversations it has no
 * session in (they happened before it was linked) and the earlier messages of those it has. A
 * message already in the device's own record wins; archived ones come first, in their sender's
 * time order (not trusted for order, like every `sentAt`).
 */
import type { ArchivedMessage } from './agent-archive-record.js';
import type { ConversationSummary } from './api-agent.js';
import type { ChatMessage, HexId } from './api-common.js';

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

function preview(message: ChatMessage | undefined): string {
  if (message === undefined) return '';
  if (message.body.kind === 'text') return message.body.text.slice(0, 140);
  if (message.body.kind === 'attachment') return message.body.attachment.name;
  return '';
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
    const shown = sorted.filter((m) => m.body.kind === 'text' || m.body.kind === 'attachment');
    const closed = sorted.some((m) => m.body.kind === 'close');
    return {
      conversationId,
      preview: preview(shown.at(-1)),
      lastActivity: Math.max(...sorted.map((m) => m.receivedAt)),
      unread: 0,
      status: closed ? 'resolved' : 'open',
      closed,
      joinedLate: true,
    };
  });
}
