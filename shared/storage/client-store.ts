/**
 * The storage port: what a Sealdesk client keeps between runs, and the one write that makes a
 * protocol step durable. Protocol states are opaque here: each is a structured-cloneable value
 * with its own numeric `version` (shared/protocol/README.md), stored and returned as it is.
 * The runtime names the concrete types through `StateShapes`.
 *
 * The rule this port exists for (shared/protocol/README.md, "How a client uses it"): a step's new
 * state, its consumed prekeys, the envelopes it sends, its history records and the delivery cursor
 * it processed are saved in ONE `commit`, before anything is sent, acked or shown.
 */
import type { AccountId, ConversationId } from '../wire/index.js';
import type { CursorQueue } from './cursor-queues.js';

/** A protocol state as the store sees it: plain structured-cloneable data with a version. */
export interface Versioned {
  readonly version: number;
}

/** The value types a client stores; the runtime instantiates them with the protocol's types. */
export interface StateShapes {
  /** This device's keys (non-extractable CryptoKeys inside, stored as CryptoKey objects). */
  readonly deviceKeys: Versioned;
  /** Account state: account id, the AIK if this device holds it, recovery-related public data. */
  readonly account: Versioned;
  /** An agent device's signed and one-time prekeys. */
  readonly prekeys: Versioned;
  /** The inbox archive keyring. */
  readonly archive: Versioned;
  /** A directory view (device-list chain) of one account. */
  readonly directory: Versioned;
  /** One conversation's state, ratchet sessions included. */
  readonly conversation: Versioned;
  /** One item of an agent device's archive list (a message read from history, one waiting to be sealed). */
  readonly archiveItem: Versioned;
  /** One shown message of a conversation (with its status), a row of the `messages` list. */
  readonly message: Versioned;
}

/** A small setting (UI preferences, flags). */
export type SettingValue = string | number | boolean | Uint8Array;

/** An envelope saved to be sent: it stays until the relay confirms it with `stored`. */
export interface OutboxDraft {
  /** An encoded envelope (shared/wire, PROTOCOL §2.6); its conversation id files the entry. */
  readonly envelope: Uint8Array;
  /** The runtime's own reference (e.g. a message id), returned with the entry; at most 128 characters. */
  readonly ref?: string;
}

export interface OutboxEntry {
  /** Assigned by the store at commit, increasing, never reused. */
  readonly seq: number;
  readonly conversationId: ConversationId;
  readonly envelope: Uint8Array;
  readonly ref: string | undefined;
}

/** A sealed history record (PROTOCOL §9.2) of one conversation. */
export interface HistoryDraft {
  readonly conversationId: ConversationId;
  /** The record id bound into the seal (1..64 bytes). */
  readonly recordId: Uint8Array;
  readonly sealed: Uint8Array;
}

export interface HistoryEntry extends HistoryDraft {
  /** Assigned by the store at commit, increasing within the store: the conversation's order. */
  readonly seq: number;
}

/**
 * One row of a list of versioned values (archive items, a conversation's shown messages): kept one
 * per row (never all in one record), so a step that adds one writes one row, however many are kept
 * (issue #11: a single record with every message was copied and rewritten, whole, on every step).
 */
export interface VersionedRowDraft<V extends Versioned = Versioned> {
  /** The conversation it belongs to: the list is indexed by it. */
  readonly conversationId: ConversationId;
  readonly value: V;
}

export interface VersionedRowEntry<V extends Versioned = Versioned> extends VersionedRowDraft<V> {
  /** Assigned by the store at commit, increasing, never reused. */
  readonly seq: number;
}

/** An item of an agent device's archive list. */
export type ArchiveItemDraft<V extends Versioned = Versioned> = VersionedRowDraft<V>;
export type ArchiveItemEntry<V extends Versioned = Versioned> = VersionedRowEntry<V>;
/** A shown message of a conversation; its seq orders the conversation's messages. */
export type MessageRowDraft<V extends Versioned = Versioned> = VersionedRowDraft<V>;
export type MessageRowEntry<V extends Versioned = Versioned> = VersionedRowEntry<V>;

/** The highest delivery cursor processed on a relay queue; a lower value than the saved one is ignored. */
export interface CursorAdvance {
  readonly queue: CursorQueue;
  readonly cursor: number;
}

/** A record named for explicit deletion (even one that cannot be read). */
export type RecordRef =
  | { readonly kind: 'deviceKeys' | 'account' | 'prekeys' | 'archive' }
  | { readonly kind: 'directory'; readonly accountId: AccountId }
  | { readonly kind: 'conversation'; readonly conversationId: ConversationId }
  | { readonly kind: 'cursor'; readonly queue: CursorQueue }
  | { readonly kind: 'setting'; readonly name: string };

/**
 * Everything one protocol step changes, written in one transaction: all of it or nothing.
 * A key may appear once per step; a state put over a record that cannot be read fails (name it
 * in `discard` to delete it deliberately first, in an earlier step).
 */
export interface StoreStep<S extends StateShapes = StateShapes> {
  readonly deviceKeys?: S['deviceKeys'];
  readonly account?: S['account'];
  readonly prekeys?: S['prekeys'];
  readonly archive?: S['archive'];
  /**
   * Directory views, each with the version of its newest device list (0 before any): a stored view
   * of a higher list version is kept (PROTOCOL §4.4).
   */
  readonly directories?: readonly {
    readonly accountId: AccountId;
    readonly view: S['directory'];
    readonly listVersion: number;
  }[];
  readonly conversations?: readonly { readonly conversationId: ConversationId; readonly state: S['conversation'] }[];
  /** New envelopes to send, in send order. */
  readonly outbox?: readonly OutboxDraft[];
  /** Outbox entries the relay confirmed (or refused for good): removed. */
  readonly confirmed?: readonly number[];
  readonly history?: readonly HistoryDraft[];
  /** Archive list items to add, in order. */
  readonly archiveItems?: readonly ArchiveItemDraft<S['archiveItem']>[];
  /** Archive list items removed, by seq. */
  readonly archiveItemsRemoved?: readonly number[];
  /** Shown messages to add, in order (a conversation's messages read back in commit order). */
  readonly messages?: readonly MessageRowDraft<S['message']>[];
  /** Shown messages rewritten in place (a status raised), by the seq their commit returned. */
  readonly messagesChanged?: readonly MessageRowEntry<S['message']>[];
  readonly cursors?: readonly CursorAdvance[];
  /** Settings to set; `undefined` deletes one. */
  readonly settings?: readonly { readonly name: string; readonly value: SettingValue | undefined }[];
  /** Records deleted on purpose. */
  readonly discard?: readonly RecordRef[];
  /** Conversations deleted with their outbox entries, history, shown messages and visitor cursor. */
  readonly forget?: readonly ConversationId[];
}

/** What a commit assigned: the seq of each new outbox entry, history record, archive item and message, in step order. */
export interface CommitResult {
  readonly outbox: readonly number[];
  readonly history: readonly number[];
  readonly archiveItems: readonly number[];
  readonly messages: readonly number[];
}

export interface ListQuery {
  /** Only entries with a larger seq. */
  readonly after?: number;
  readonly limit?: number;
}

export interface OutboxQuery extends ListQuery {
  /** Only this conversation's entries (a visitor connection sends nothing else). */
  readonly conversationId?: ConversationId;
}

/**
 * A client's store. Reads throw StorageSchemaError / StorageCorruptError for a record that cannot
 * be read (and leave it as it is); `commit` throws StorageWriteError when nothing was written;
 * every method throws StorageUnavailableError after `close`.
 */
export interface ClientStore<S extends StateShapes = StateShapes> {
  deviceKeys(): Promise<S['deviceKeys'] | undefined>;
  account(): Promise<S['account'] | undefined>;
  prekeys(): Promise<S['prekeys'] | undefined>;
  archive(): Promise<S['archive'] | undefined>;
  directory(accountId: AccountId): Promise<S['directory'] | undefined>;
  conversation(conversationId: ConversationId): Promise<S['conversation'] | undefined>;
  /** Every stored conversation's id (in byte order of the id). */
  conversationIds(): Promise<ConversationId[]>;
  /** Outbox entries in send (seq) order. */
  outbox(query?: OutboxQuery): Promise<OutboxEntry[]>;
  /** A conversation's history records in the order they were committed. */
  history(conversationId: ConversationId, query?: ListQuery): Promise<HistoryEntry[]>;
  /** Archive list items in the order they were committed (of one conversation, or all). */
  archiveItems(query?: OutboxQuery): Promise<ArchiveItemEntry<S['archiveItem']>[]>;
  /** A conversation's shown messages in the order they were committed. */
  messages(conversationId: ConversationId, query?: ListQuery): Promise<MessageRowEntry<S['message']>[]>;
  /** The highest processed cursor of a queue, 0 if none. */
  cursor(queue: CursorQueue): Promise<number>;
  setting(name: string): Promise<SettingValue | undefined>;
  commit(step: StoreStep<S>): Promise<CommitResult>;
  close(): Promise<void>;
}
