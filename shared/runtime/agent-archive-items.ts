/**
 * The archive's messages, one store row each (shared/storage `archiveItems`; issue #11): the
 * messages read from other devices' history records (PROTOCOL §9.6) and this device's own shown
 * messages waiting for the current archive key (§9.1 pending). A message read or written adds one
 * row in the step that saves the archive record; nothing rewrites the others, and none is dropped
 * (version 1 kept them inside the `archive` record, at most 5,000, and rewrote them all on every save).
 *
 * `ArchiveItems` holds what the rows say in memory, read once; every change is committed by the
 * caller's step first and applied here only after that commit resolved.
 */
import { type ConversationId, asConversationId, idBytesFromHex } from '../wire/index.js';
import type {
  AgentArchiveRecord,
  AgentArchiveRecordV1,
  ArchivedMessage,
  StoredArchiveRecord,
  UnsealedMessage,
} from './agent-archive-record.js';
import { AGENT_ARCHIVE_RECORD_VERSION } from './agent-archive-record.js';
import type { ChatMessage } from './api-common.js';
import type { ConversationRecord } from './conversation-record.js';
import type { RuntimeStore } from './runtime-shapes.js';

export const ARCHIVE_ITEM_VERSION = 1;

export type ArchiveItem =
  | {
      readonly version: typeof ARCHIVE_ITEM_VERSION;
      readonly state: 'archived';
      readonly archived: ArchivedMessage;
    }
  | ({ readonly version: typeof ARCHIVE_ITEM_VERSION; readonly state: 'unsealed' } & UnsealedMessage);

/** One item to add, filed under its message's conversation. */
export interface ArchiveItemDraft {
  readonly conversationId: ConversationId;
  readonly value: ArchiveItem;
}

function draft(message: ChatMessage, value: ArchiveItem): ArchiveItemDraft {
  return { conversationId: asConversationId(idBytesFromHex(message.conversationId)), value };
}

export function archivedItem(archived: ArchivedMessage): ArchiveItemDraft {
  return draft(archived.message, { version: ARCHIVE_ITEM_VERSION, state: 'archived', archived });
}

export function unsealedItem(unsealed: UnsealedMessage): ArchiveItemDraft {
  return draft(unsealed.message, { version: ARCHIVE_ITEM_VERSION, state: 'unsealed', ...unsealed });
}

/**
 * PROTOCOL §9.6: the waiting rows of the messages a step shows, saved in that step's commit (an
 * attachment's with the reference from the step's conversation record, so a device linked later
 * can open the file).
 */
export function waitingArchiveRows(
  record: Pick<ConversationRecord, 'attachments'>,
  messages: readonly ChatMessage[],
): ArchiveItemDraft[] {
  return messages.map((message) => {
    const ref = record.attachments.find((a) => a.messageId === message.id)?.ref;
    return unsealedItem(ref === undefined || message.body.kind !== 'attachment' ? { message } : { message, ref });
  });
}

function keyOf(message: ChatMessage): string {
  return `${message.conversationId}/${message.id}`;
}

/**
 * A version-1 record as this build stores it: the record without its message arrays, and the
 * messages as items (waiting ones first, then read ones, each in its old order). Saved in ONE
 * step, so an upgrade interrupted at any instant leaves either the old record or the new layout.
 */
export function upgradeArchiveRecord(old: AgentArchiveRecordV1): {
  record: AgentArchiveRecord;
  items: ArchiveItemDraft[];
} {
  const { unsealed, archived, ...rest } = old;
  return {
    record: { ...rest, version: AGENT_ARCHIVE_RECORD_VERSION },
    items: [...unsealed.map(unsealedItem), ...archived.map(archivedItem)],
  };
}

/** The archive's items as the store holds them, with the changes a step makes to them. */
export class ArchiveItems {
  readonly #archived: ArchivedMessage[] = [];
  readonly #known = new Set<string>();
  #unsealed: { readonly seq: number; readonly unsealed: UnsealedMessage }[] = [];
  readonly #seqs = new Set<number>();

  /** Reads the items; a version-1 record is upgraded first, in one step (agent-archive-items.ts). */
  static async load(
    store: RuntimeStore,
    stored: StoredArchiveRecord | undefined,
  ): Promise<{ record: AgentArchiveRecord | undefined; items: ArchiveItems }> {
    let record: AgentArchiveRecord | undefined;
    if (stored?.version === 1) {
      const upgraded = upgradeArchiveRecord(stored);
      await store.commit({ archive: upgraded.record, archiveItems: upgraded.items });
      record = upgraded.record;
    } else record = stored;
    const items = new ArchiveItems();
    for (const row of await store.archiveItems()) items.#take(row.seq, row.value);
    return { record, items };
  }

  #take(seq: number, item: ArchiveItem): void {
    // A row read from the store and then told as committed (agent-archive.ts `waitingSaved`) is held once.
    if (this.#seqs.has(seq)) return;
    this.#seqs.add(seq);
    if (item.state === 'unsealed') {
      const { message, ref } = item;
      this.#unsealed.push({ seq, unsealed: ref === undefined ? { message } : { message, ref } });
      return;
    }
    this.#known.add(keyOf(item.archived.message));
    this.#archived.push(item.archived);
  }

  /** Messages read from history records, in the order they were read. */
  get archived(): readonly ArchivedMessage[] {
    return this.#archived;
  }

  /** This device's messages waiting for the current key, oldest first. */
  get unsealed(): readonly UnsealedMessage[] {
    return this.#unsealed.map((u) => u.unsealed);
  }

  /** The seqs of the waiting messages (a step that seals them removes these rows). */
  get unsealedSeqs(): readonly number[] {
    return this.#unsealed.map((u) => u.seq);
  }

  /** True when a message of this conversation and id was read already (kept once). */
  has(message: ChatMessage): boolean {
    return this.#known.has(keyOf(message));
  }

  /** After a commit that added `added` (with the seqs it assigned) and removed `removed`. */
  committed(added: readonly ArchiveItemDraft[], seqs: readonly number[], removed: readonly number[]): void {
    if (removed.length > 0) {
      const gone = new Set(removed);
      // Their seqs stay known: the store never reuses a seq, and a `waitingSaved` that comes after a
      // sealing which read and removed its rows must not bring them back (sealed twice).
      this.#unsealed = this.#unsealed.filter((u) => !gone.has(u.seq));
    }
    added.forEach((item, i) => {
      const seq = seqs[i];
      if (seq !== undefined) this.#take(seq, item.value);
    });
  }
}
