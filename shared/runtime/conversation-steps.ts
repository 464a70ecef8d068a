/**
 * The send side of a conversation step, shared by both runtimes: the protocol transition, the
 * record it changes, and the envelopes to put in the outbox. The caller commits all of it in ONE
 * store step before anything leaves (shared/protocol/README.md), then emits.
 */
import { toHex } from '../crypto/index.js';
import {
  type AgentSendContext,
  type MessageBody,
  type OutgoingPacket,
  type ProtocolEnv,
  type SecurityAlert,
  sendMessage,
} from '../protocol/index.js';
import type { OutboxDraft } from '../storage/index.js';
import { type ConversationId, asCiphertext, encodeEnvelope, idToHex } from '../wire/index.js';
import { type ChatBody, type ChatMessage, type HexId, MESSAGE_STATUSES, type MessageId } from './api-common.js';
import { type ConversationRecord, attachmentHandle, messageIdOf, recordShown } from './conversation-record.js';
import type { ShownMessages } from './conversation-messages.js';

export function envelopesOf(
  conversationId: ConversationId,
  outgoing: readonly OutgoingPacket[],
  ref: string,
): OutboxDraft[] {
  return outgoing.map((o) => ({
    envelope: encodeEnvelope({ conversationId, recipient: o.recipient, body: asCiphertext(o.body) }),
    ref,
  }));
}

export interface SendOutcome {
  readonly record: ConversationRecord;
  readonly outbox: readonly OutboxDraft[];
  readonly messageId: MessageId;
  /** The message to show, for kinds a person sees. */
  readonly shown: ChatMessage | undefined;
  readonly alerts: readonly SecurityAlert[];
}

/** What a person sees of an own message of this kind (typing, receipts and lists are not shown). */
function shownBody(body: MessageBody, conversationId: HexId, messageId: MessageId): ChatBody | undefined {
  switch (body.kind) {
    case 'text':
      return { kind: 'text', text: body.text };
    case 'close':
      return { kind: 'close', reason: body.reason };
    case 'attachment':
      return { kind: 'attachment', attachment: attachmentHandle(conversationId, messageId, body.ref) };
    default:
      return undefined;
  }
}

/** `messages` takes the message shown (its row, committed with the record). */
export async function sendStep(
  record: ConversationRecord,
  messages: ShownMessages,
  body: MessageBody,
  env: ProtocolEnv,
  agent?: AgentSendContext,
): Promise<SendOutcome> {
  const before = record.protocol;
  const step = await sendMessage(before, body, env, agent);
  const messageId = messageIdOf(before.selfId, before.nextSendSeq);
  const now = env.now();
  const conversationHex = idToHex(before.conversationId);
  const chatBody = shownBody(body, conversationHex, messageId);
  let next: ConversationRecord = { ...record, protocol: step.state };
  let shown: ChatMessage | undefined;
  if (chatBody !== undefined) {
    shown = {
      id: messageId,
      conversationId: conversationHex,
      from: 'self',
      senderDeviceId: toHex(before.selfId),
      sentAt: now,
      receivedAt: now,
      body: chatBody,
      status: MESSAGE_STATUSES.sending,
    };
    messages.add(shown);
    next = recordShown(next, shown);
  }
  if (body.kind === 'attachment') next = { ...next, attachments: [...next.attachments, { messageId, ref: body.ref }] };
  if (body.kind === 'close') next = { ...next, closedBy: 'self' };
  return {
    record: next,
    outbox: envelopesOf(before.conversationId, step.outgoing, messageId),
    messageId,
    shown,
    alerts: step.alerts,
  };
}
