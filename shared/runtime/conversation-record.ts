/**
 * What a runtime stores for one conversation, in ONE record written in the same commit as the
 * protocol step that changes it (shared/protocol/README.md): the protocol state, the messages a
 * person has been shown (with their statuses), attachment references (their keys stay here, the
 * UI gets a handle) and whether it was closed. Plain structured-cloneable data with a version.
 */
import { toHex } from '../crypto/index.js';
import { type AttachmentRef, type ConversationState, ORDER_LIMITS, type ReleasedMessage } from '../protocol/index.js';
import { UsageError } from '../errors/index.js';
import { asDeviceId, type DeviceId, idBytesFromHex, idEquals, idToHex } from '../wire/index.js';
import {
  type ChatMessage,
  MESSAGE_STATUSES,
  type MessageId,
  type MessageStatus,
  type PlainAlert,
} from './api-common.js';

export const CONVERSATION_RECORD_VERSION = 1;

export interface ConversationRecord {
  readonly version: typeof CONVERSATION_RECORD_VERSION;
  readonly protocol: ConversationState;
  /** Visitor side: the conversation capability the relay gave once (PROTOCOL §16.5). */
  readonly capability?: Uint8Array;
  readonly messages: readonly ChatMessage[];
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

export function newRecord(protocol: ConversationState, now: number, capability?: Uint8Array): ConversationRecord {
  return {
    version: CONVERSATION_RECORD_VERSION,
    protocol,
    ...(capability === undefined ? {} : { capability }),
    messages: [],
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

const STATUS_RANK: Readonly<Record<MessageStatus, number>> = {
  [MESSAGE_STATUSES.sending]: 0,
  [MESSAGE_STATUSES.stored]: 1,
  [MESSAGE_STATUSES.delivered]: 2,
  [MESSAGE_STATUSES.read]: 3,
};

/** Raises the status of own messages matching `which` (never lowers one); returns the changes. */
export function raiseStatus(
  record: ConversationRecord,
  which: (message: ChatMessage, seq: number) => boolean,
  status: MessageStatus,
): { record: ConversationRecord; changed: { messageId: MessageId; status: MessageStatus }[] } {
  const changed: { messageId: MessageId; status: MessageStatus }[] = [];
  const messages = record.messages.map((m) => {
    if (m.from !== 'self' || m.status === undefined) return m;
    const seq = Number(m.id.slice(m.id.indexOf(':') + 1));
    if (!which(m, seq) || STATUS_RANK[m.status] >= STATUS_RANK[status]) return m;
    changed.push({ messageId: m.id, status });
    return { ...m, status };
  });
  return { record: changed.length === 0 ? record : { ...record, messages }, changed };
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
 * Turns released frames into what a person sees: chat messages (each id once: a message already
 * in the record is not shown again), typing, read receipts and acks of own messages.
 */
export function takeReleased(
  record: ConversationRecord,
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
    if (m.ownAck > 0) {
      const raised = raiseStatus(current, (_, seq) => seq <= m.ownAck, MESSAGE_STATUSES.delivered);
      current = raised.record;
      statuses.push(...raised.changed);
    }
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
            attachment: { messageId: id, name: ref.fileName ?? 'file', mime: ref.mediaType, size: ref.size },
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
        const raised = raiseStatus(current, (_, seq) => seq <= upTo, MESSAGE_STATUSES.read);
        current = raised.record;
        statuses.push(...raised.changed);
        break;
      }
      case 'deviceList':
        lists.push(...m.body.lists);
        break;
    }
    if (message !== undefined && !current.messages.some((x) => x.id === id)) {
      current = {
        ...current,
        messages: [...current.messages, message],
        unread: current.unread + 1,
        lastActivity: Math.max(current.lastActivity, now),
      };
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
