/**
 * A conversation's shown messages, one store row each (shared/storage `messages`; issue #11): a
 * step that shows a message adds its row, a status raised (stored, delivered, read) rewrites only
 * the rows it touches, both in the SAME commit as the conversation record of that step
 * (shared/protocol/README.md: state and effects saved together, before anything is shown or sent).
 * Version 1 of the record held every message inside it, so every step copied, walked and wrote
 * them all.
 *
 * `ShownMessages` holds what the rows say in memory, read once, and collects a step's changes,
 * applied to what it holds only after the commit that saved them resolved.
 */
import { CONVERSATION_STATE_VERSION } from '../protocol/index.js';
import { StorageCorruptError, StorageSchemaError } from '../storage/index.js';
import { type ConversationId, idToHex } from '../wire/index.js';
import { type ChatMessage, MESSAGE_STATUSES, type MessageId, type MessageStatus } from './api-common.js';
import {
  type ConversationRecord,
  type ConversationRecordV1,
  CONVERSATION_RECORD_VERSION,
  parseMessageId,
  recordShown,
  type StoredConversationRecord,
} from './conversation-record.js';
import type { RuntimeShapes, RuntimeStore } from './runtime-shapes.js';
import type { CommitResult, StoreStep } from '../storage/index.js';

export const MESSAGE_ROW_VERSION = 1;

/** The value of one row: a message as shown, with its status (own messages). */
export interface MessageRow {
  readonly version: typeof MESSAGE_ROW_VERSION;
  readonly message: ChatMessage;
}

const STATUS_RANK: Readonly<Record<MessageStatus, number>> = {
  [MESSAGE_STATUSES.sending]: 0,
  [MESSAGE_STATUSES.stored]: 1,
  [MESSAGE_STATUSES.delivered]: 2,
  [MESSAGE_STATUSES.read]: 3,
};

/** An own message whose status can still rise (below `read`). */
function isOpen(m: ChatMessage): boolean {
  return m.from === 'self' && m.status !== undefined && m.status !== MESSAGE_STATUSES.read;
}

/** `m` with `status` when it is an own message `which` names and its status is lower; else undefined. */
function raised(
  m: ChatMessage,
  which: (seq: number, message: ChatMessage) => boolean,
  status: MessageStatus,
): ChatMessage | undefined {
  if (!isOpen(m) || m.status === undefined || STATUS_RANK[m.status] >= STATUS_RANK[status]) return undefined;
  return which(parseMessageId(m.id).seq, m) ? { ...m, status } : undefined;
}

/**
 * Rows written before attachment handles named their conversation get it from the conversation
 * they are filed under (a message id alone is not unique across conversations).
 */
function withHandleConversation(message: ChatMessage, conversationId: ConversationId): ChatMessage {
  if (message.body.kind !== 'attachment' || typeof message.body.attachment.conversationId === 'string') return message;
  return {
    ...message,
    body: { kind: 'attachment', attachment: { ...message.body.attachment, conversationId: idToHex(conversationId) } },
  };
}

function rowOf(message: ChatMessage): MessageRow {
  return { version: MESSAGE_ROW_VERSION, message };
}

type MessageRowsStep = Pick<StoreStep<RuntimeShapes>, 'messages' | 'messagesChanged'>;

interface Held {
  readonly seq: number;
  message: ChatMessage;
}

/**
 * A conversation's shown messages as its rows hold them, in the order shown, and the changes of
 * the one step in progress (a conversation's steps run one at a time, on its queue): `begin`,
 * then `has`, `add`, `raise`; `save` commits the step with its rows.
 */
export class ShownMessages {
  readonly #conversationId: ConversationId;
  readonly #held: Held[] = [];
  readonly #ids = new Set<MessageId>();
  /** The own messages whose status can still rise, in order. */
  #open: Held[] = [];
  /** The step's new messages, in the order shown. */
  #added: ChatMessage[] = [];
  /** The step's raised statuses: the message held → the message with its new status. */
  #changed = new Map<Held, ChatMessage>();

  /** A conversation's messages: none yet (a new conversation), or `load`. */
  constructor(conversationId: ConversationId) {
    this.#conversationId = conversationId;
  }

  /** Reads the rows of a conversation (upgraded already: readConversation). A damaged row is a typed error. */
  static async load(store: RuntimeStore, conversationId: ConversationId): Promise<ShownMessages> {
    const shown = new ShownMessages(conversationId);
    for (const row of await store.messages(conversationId)) {
      const message: unknown = row.value.message;
      if (typeof message !== 'object' || message === null || !('id' in message) || typeof message.id !== 'string') {
        throw new StorageCorruptError(`message/${row.seq}: no message`, `message/${row.seq}`);
      }
      shown.#push(row.seq, withHandleConversation(row.value.message, conversationId));
    }
    return shown;
  }

  #push(seq: number, message: ChatMessage): void {
    const held = { seq, message };
    if (isOpen(message)) this.#open.push(held);
    this.#held.push(held);
    this.#ids.add(message.id);
  }

  /** The messages in the order shown (the step in progress not included). */
  get list(): ChatMessage[] {
    return this.#held.map((h) => h.message);
  }

  /** Starts a step: whatever an earlier step left (one that failed before its commit) is dropped. */
  begin(): this {
    this.#added = [];
    this.#changed = new Map();
    return this;
  }

  /** True when a message of this id was shown (before or in this step): it is never shown twice. */
  has(id: MessageId): boolean {
    return this.#ids.has(id) || this.#added.some((m) => m.id === id);
  }

  add(message: ChatMessage): void {
    this.#added.push(message);
  }

  /** Raises the status of own messages `which` names (never lowers one); returns the changes, in order. */
  raise(
    which: (seq: number, message: ChatMessage) => boolean,
    status: MessageStatus,
  ): { messageId: MessageId; status: MessageStatus }[] {
    const changes: { messageId: MessageId; status: MessageStatus }[] = [];
    const take = (m: ChatMessage, keep: (next: ChatMessage) => void): void => {
      const next = raised(m, which, status);
      if (next === undefined) return;
      keep(next);
      changes.push({ messageId: next.id, status });
    };
    for (const held of this.#open)
      take(this.#changed.get(held) ?? held.message, (next) => this.#changed.set(held, next));
    this.#added.forEach((m, i) => {
      take(m, (next) => (this.#added[i] = next));
    });
    return changes;
  }

  /**
   * Saves the step: `commit` writes the rows it is given (one per new message, one per raised
   * status) in the same commit as the rest of the step; what it saved is held once it resolved.
   * Returns the commit's result (the seqs of the other rows the step added).
   */
  async save(commit: (rows: MessageRowsStep) => Promise<CommitResult>): Promise<CommitResult> {
    const conversationId = this.#conversationId;
    const changed = [...this.#changed];
    const result = await commit({
      messages: this.#added.map((m) => ({ conversationId, value: rowOf(m) })),
      messagesChanged: changed.map(([held, m]) => ({ seq: held.seq, conversationId, value: rowOf(m) })),
    });
    for (const [held, message] of changed) held.message = message;
    this.#open = this.#open.filter((held) => isOpen(held.message));
    this.#added.forEach((message, i) => {
      const seq = result.messages[i];
      if (seq !== undefined) this.#push(seq, message);
    });
    this.begin();
    return result;
  }
}

/**
 * A version-1 record as this build stores it: the record without its messages (its summary fields
 * computed from them), and the messages as rows in their old order. Saved in ONE step, so an
 * upgrade interrupted at any instant leaves either the old record or the new layout.
 */
export function upgradeConversationRecord(
  old: ConversationRecordV1,
  conversationId: ConversationId,
): { record: ConversationRecord; rows: MessageRowsStep } {
  const { messages, ...rest } = old;
  let record: ConversationRecord = { ...rest, version: CONVERSATION_RECORD_VERSION, preview: '', lastVisitorAt: 0 };
  for (const message of messages) record = recordShown(record, message);
  return { record, rows: { messages: messages.map((m) => ({ conversationId, value: rowOf(m) })) } };
}

/**
 * PROTOCOL §7.1: a protocol state of another version than this build's (version 1 had no
 * `listedSince` and no list versions in its tracks) is refused, never read as this one: nothing of
 * version 1 was deployed, so it is not converted. The record stays where it is.
 */
function checkProtocolVersion(stored: StoredConversationRecord, conversationId: ConversationId): void {
  const version: number = stored.protocol.version;
  if (version !== CONVERSATION_STATE_VERSION)
    throw new StorageSchemaError(
      `conversation state version ${version} is not read by this build (version ${CONVERSATION_STATE_VERSION})`,
      `conversation ${idToHex(conversationId)}`,
    );
}

/**
 * A conversation's record; a version-1 record is upgraded first, in one step (the caller reads a
 * conversation once at a time: two upgrades at once would add its rows twice).
 */
export async function readConversation(
  store: RuntimeStore,
  conversationId: ConversationId,
): Promise<ConversationRecord | undefined> {
  const stored = await store.conversation(conversationId);
  if (stored !== undefined) checkProtocolVersion(stored, conversationId);
  if (stored?.version !== 1) return stored;
  const upgraded = upgradeConversationRecord(stored, conversationId);
  await store.commit({ conversations: [{ conversationId, state: upgraded.record }], ...upgraded.rows });
  return upgraded.record;
}
