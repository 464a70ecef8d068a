/**
 * What a runtime stores for one conversation, in ONE record written in the same commit as the
 * protocol step that changes it (shared/protocol/README.md): the protocol state, what a summary
 * shows of the messages (preview, unread, last activity), attachment references (their keys stay
 * here, the UI gets a handle) and whether it was closed. Plain structured-cloneable data with a
 * version. The messages a person has been shown (with their statuses) are rows of their own, written
 * in the same commit (conversation-messages.ts; issue #11: version 1 held them all in the record,
 * copied and rewritten by every step).
 */
import { toHex } from '../crypto/index.js';
import { type AttachmentRef, type ConversationState, ORDER_LIMITS, type ReleasedMessage } from '../protocol/index.js';
import { UsageError } from '../errors/index.js';
import { asDeviceId, type DeviceId, idBytesFromHex, idEquals, idToHex } from '../wire/index.js';
import {
  type AttachmentHandle,
  type ChatMessage,
  type HexId,
  MESSAGE_STATUSES,
  type MessageId,
  type MessageStatus,
  type PlainAlert,
} from './api-common.js';
import type { ShownMessages } from './conversation-messages.js';

/** Version 2: the messages moved out to one row each (version 1 held them in the record). */
export const CONVERSATION_RECORD_VERSION = 2;

export interface ConversationRecord {
  readonly version: typeof CONVERSATION_RECORD_VERSION;
  readonly protocol: ConversationState;
  /** Visitor side: the conversation capability the relay gave once (PROTOCOL §16.5). */
  readonly capability?: Uint8Array;
  /** The last text or attachment shown, as a summary shows it ('' before one). */
  readonly preview: string;
  /** When the visitor last wrote, by this device's receive time (0 when never). */
  readonly lastVisitorAt: number;
  readonly attachments: readonly { readonly messageId: MessageId; readonly ref: AttachmentRef }[];
  readonly closedBy?: 'agent' | 'self' | 'visitor';
  /** Messages from others not yet marked read here. */
  readonly unread: number;
  readonly lastActivity: number;
  /**
   * The alerts raised about this conversation, oldest first, at most ALERT_LOG_LIMIT (alert-log.ts).
   * Absent in a record saved before the field existed: no alerts.
   */
  readonly alerts?: readonly PlainAlert[];
}

/** The record as version 1 stored it: every shown message inside it (conversation-messages.ts upgrades it). */
export interface ConversationRecordV1 extends Omit<ConversationRecord, 'version' | 'preview' | 'lastVisitorAt'> {
  readonly version: 1;
  readonly messages: readonly ChatMessage[];
}

/** What the store may hold under a conversation: this build's record or one to upgrade. */
export type StoredConversationRecord = ConversationRecord | ConversationRecordV1;

export function newRecord(protocol: ConversationState, now: number, capability?: Uint8Array): ConversationRecord {
  return {
    version: CONVERSATION_RECORD_VERSION,
    protocol,
    ...(capability === undefined ? {} : { capability }),
    preview: '',
    lastVisitorAt: 0,
    attachments: [],
    unread: 0,
    lastActivity: now,
  };
}

export function messageIdOf(sender: DeviceId, seq: number): MessageId {
  return `${idToHex(sender)}:${seq}`;
}

/**
 * Agent side: whether this device holds a session with the visitor (PROTOCOL §7.6). A device
 * linked after the conversation began keeps a record from its siblings' frames, but the visitor
 * encrypts to it, and it can answer, only once the visitor has written on a list that names it.
 */
export function reachesVisitor(record: ConversationRecord): boolean {
  const visitor = record.protocol.visitorId;
  return visitor !== null && record.protocol.sessions.some((s) => idEquals(s.peerId, visitor));
}

const MESSAGE_ID = /^([0-9a-f]{32}):(0|[1-9][0-9]{0,15})$/;

/**
 * The sender and sequence number a read receipt names (PROTOCOL §8). Only a conversation message
 * has them: a team note's id (`note:…`) or anything else is a UsageError, never a receipt.
 */
export function parseMessageId(id: MessageId): { readonly sender: DeviceId; readonly seq: number } {
  const match = MESSAGE_ID.exec(id);
  const seq = Number(match?.[2]);
  if (match?.[1] === undefined || !Number.isSafeInteger(seq))
    throw new UsageError('only a conversation message can be marked read (its id is <sender hex>:<seq>)');
  return { sender: asDeviceId(idBytesFromHex(match[1])), seq };
}

/** What a person is shown of an attachment message (its key stays in the record's `attachments`). */
export function attachmentHandle(conversationId: HexId, messageId: MessageId, ref: AttachmentRef): AttachmentHandle {
  return { conversationId, messageId, name: ref.fileName ?? 'file', mime: ref.mediaType, size: ref.size };
}

/** A message a summary can preview: a text or an attachment (not a close, a note, a list). */
export function previewable(message: ChatMessage): boolean {
  return message.body.kind === 'text' || message.body.kind === 'attachment';
}

/** A summary's preview: the text's first 140 characters, or the attachment's name. */
export function previewOf(message: ChatMessage | undefined): string {
  if (message === undefined) return '';
  if (message.body.kind === 'text') return message.body.text.slice(0, 140);
  if (message.body.kind === 'attachment') return message.body.attachment.name;
  return '';
}

/**
 * The record after `message` was shown (saved in the same step as its row): the summary's preview
 * and times follow it.
 */
export function recordShown(record: ConversationRecord, message: ChatMessage): ConversationRecord {
  const preview = previewOf(message);
  return {
    ...record,
    ...(preview === '' ? {} : { preview }),
    ...(message.from === 'visitor' ? { lastVisitorAt: Math.max(record.lastVisitorAt, message.receivedAt) } : {}),
    lastActivity: Math.max(record.lastActivity, message.receivedAt),
  };
}

export interface ReleasedOutcome {
  readonly record: ConversationRecord;
  /** New messages to show, in release order. */
  readonly shown: readonly ChatMessage[];
  readonly statuses: readonly { readonly messageId: MessageId; readonly status: MessageStatus }[];
  readonly typing: readonly { readonly sender: DeviceId; readonly agentName: string; readonly active: boolean }[];
  /** Signed device lists received in-band (PROTOCOL §7.3 `deviceList`), oldest first. */
  readonly lists: readonly Uint8Array[];
  readonly closedBy: 'agent' | 'visitor' | undefined;
}

/** The display name the conversation's device list gives `sender` ('' for the visitor). */
export function agentNameOf(state: ConversationState, sender: DeviceId): string {
  return state.deviceList.devices.find((d) => idEquals(d.deviceId, sender))?.agentName ?? '';
}

/**
 * Turns released frames into what a person sees: chat messages (each id once: a message shown
 * already is not shown again), typing, read receipts and acks of own messages. New messages and
 * raised statuses go into `messages`, the step's rows.
 */
export function takeReleased(
  record: ConversationRecord,
  messages: ShownMessages,
  released: readonly ReleasedMessage[],
  now: number,
): ReleasedOutcome {
  const state = record.protocol;
  const conversationId = idToHex(state.conversationId);
  let current = record;
  const shown: ChatMessage[] = [];
  const statuses: { messageId: MessageId; status: MessageStatus }[] = [];
  const typing: { sender: DeviceId; agentName: string; active: boolean }[] = [];
  const lists: Uint8Array[] = [];
  let closedBy: 'agent' | 'visitor' | undefined;
  for (const m of released) {
    const isVisitor = state.visitorId !== null && idEquals(m.sender, state.visitorId);
    const from = isVisitor ? 'visitor' : 'agent';
    const agentName = isVisitor ? '' : agentNameOf(state, m.sender);
    // Acks (PROTOCOL §7.7): the author had our messages up to ownAck.
    if (m.ownAck > 0) statuses.push(...messages.raise((seq) => seq <= m.ownAck, MESSAGE_STATUSES.delivered));
    const id = messageIdOf(m.sender, m.seq);
    const base = {
      id,
      conversationId,
      from,
      senderDeviceId: toHex(m.sender),
      ...(agentName === '' ? {} : { agentName }),
      sentAt: m.sentAt,
      receivedAt: now,
      ...(m.late ? { late: true as const } : {}),
    } as const;
    let message: ChatMessage | undefined;
    switch (m.body.kind) {
      case 'text':
        message = { ...base, body: { kind: 'text', text: m.body.text } };
        break;
      case 'attachment': {
        const ref = m.body.ref;
        message = {
          ...base,
          body: {
            kind: 'attachment',
            attachment: attachmentHandle(conversationId, id, ref),
          },
        };
        current = { ...current, attachments: [...current.attachments, { messageId: id, ref }] };
        break;
      }
      case 'close':
        message = { ...base, body: { kind: 'close', reason: m.body.reason } };
        closedBy = from;
        current = { ...current, closedBy: from };
        break;
      case 'typing':
        typing.push({ sender: m.sender, agentName, active: m.body.active });
        break;
      case 'readReceipt': {
        if (!idEquals(m.body.sender, state.selfId)) break;
        const upTo = m.body.seq;
        statuses.push(...messages.raise((seq) => seq <= upTo, MESSAGE_STATUSES.read));
        break;
      }
      case 'deviceList':
        lists.push(...m.body.lists);
        break;
    }
    if (message !== undefined && !messages.has(id)) {
      messages.add(message);
      current = recordShown({ ...current, unread: current.unread + 1 }, message);
      shown.push(message);
    }
  }
  return { record: current, shown, statuses, typing, lists, closedBy };
}

/** When `tick` is next due (PROTOCOL §7.6: a frame waits for a missing earlier one at most the reorder window). */
export function tickDueIn(state: ConversationState, now: number): number | undefined {
  let due: number | undefined;
  for (const track of state.tracks) {
    if (track.waitingSince === null) continue;
    const at = track.waitingSince + ORDER_LIMITS.reorderWindowMs;
    due = due === undefined ? at : Math.min(due, at);
  }
  return due === undefined ? undefined : Math.max(0, due - now) + 1;
}
