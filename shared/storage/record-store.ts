/**
 * The typed ClientStore over any StoreBackend: wraps values in records on the way in, checks them
 * on the way out, and turns a StoreStep into one backend transaction. All three adapters go
 * through here, so the store contract (test/cases/storage/) holds for each in the same way.
 */
import type { StorageWrappingKey } from '../crypto/index.js';
import { UsageError } from '../errors/index.js';
import { type AccountId, type ConversationId, asConversationId, idBytesFromHex, idToHex } from '../wire/index.js';
import { readEnvelopeRoute } from '../wire/index.js';
import type { BackendOp, ListStore, StoreBackend } from './backend.js';
import type {
  ArchiveItemEntry,
  ClientStore,
  CommitResult,
  HistoryEntry,
  ListQuery,
  MessageRowEntry,
  OutboxEntry,
  OutboxQuery,
  RecordRef,
  SettingValue,
  StateShapes,
  StoreStep,
  VersionedRowDraft,
  VersionedRowEntry,
} from './client-store.js';
import { type CursorQueue, isCursorQueue, visitorQueue } from './cursor-queues.js';
import {
  MAX_OUTBOX_REF,
  MAX_RECORD_ID_BYTES,
  type StateKind,
  type VersionedKind,
  type VersionedRowKind,
  isCount,
  isSettingName,
  isSettingValue,
  listRow,
  openVersionedRow,
  openCursor,
  openHistoryRow,
  openOutboxRow,
  openSetting,
  openState,
  record,
  recordKey,
  storedListVersion,
} from './records.js';
import {
  StorageCorruptError,
  StorageError,
  StorageUnavailableError,
  StorageWriteError,
  WRITE_FAILURES,
  type WriteFailure,
} from './storage-errors.js';
import { holdsX25519, unwrapStateKeys, wrapStateKeys } from './stored-keys.js';
import { WrappingKeys } from './wrapping-key.js';

export interface ClientStoreOptions {
  /**
   * The protocol state versions this build reads, per kind (e.g. `{ conversation: [1] }`). A stored
   * state (or archive item) with another version is a StorageSchemaError. Kinds not named accept any version.
   */
  readonly acceptedVersions?: Readonly<Partial<Record<VersionedKind, readonly number[]>>>;
}

const CONVERSATION_PREFIX = 'conversation/';

function refKey(ref: RecordRef): string {
  switch (ref.kind) {
    case 'directory':
      return recordKey('directory', idToHex(ref.accountId));
    case 'conversation':
      return recordKey('conversation', idToHex(ref.conversationId));
    case 'cursor':
      return recordKey('cursor', ref.queue);
    case 'setting':
      return recordKey('setting', ref.name);
    default:
      return recordKey(ref.kind);
  }
}

function writeFailure(error: unknown): WriteFailure {
  const name = error instanceof Error || error instanceof DOMException ? error.name : '';
  if (name === 'QuotaExceededError') return WRITE_FAILURES.quota;
  if (name === 'DataCloneError') return WRITE_FAILURES.unserialisable;
  if (name === 'AbortError') return WRITE_FAILURES.aborted;
  return WRITE_FAILURES.failed;
}

function isSeq(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 1;
}

/** Builds the backend operations of one step, checking the step's own rules first. */
class StepPlan {
  readonly ops: BackendOp[] = [];
  readonly #keys = new Set<string>();
  readonly #accepted: ClientStoreOptions['acceptedVersions'];
  readonly #stored: ReadonlyMap<unknown, unknown>;

  /** `stored` maps a state to its stored form where they differ (wrapped X25519 keys, stored-keys.ts). */
  constructor(accepted: ClientStoreOptions['acceptedVersions'], stored: ReadonlyMap<unknown, unknown>) {
    this.#accepted = accepted;
    this.#stored = stored;
  }

  #claim(key: string): void {
    if (this.#keys.has(key)) throw new UsageError(`a step may change ${key} only once`);
    this.#keys.add(key);
  }

  /**
   * A state put that refuses to overwrite a record this build cannot read (never silently replaced).
   * The stored form is looked up when the transaction runs, so `stored` may be filled after planning.
   */
  state(kind: StateKind, id: string | undefined, value: unknown, listVersion?: number): void {
    const key = recordKey(kind, id);
    this.#claim(key);
    const accepted = this.#accepted?.[kind];
    const forms = this.#stored;
    this.ops.push({
      op: 'update',
      key,
      update: (existing) => {
        if (existing !== undefined) openState(existing, key, kind, accepted);
        // PROTOCOL §4.4: a directory view only moves forward, on disk as in memory. Two steps that
        // adopted lists of different versions may commit in either order; the older one is dropped.
        if (listVersion !== undefined && existing !== undefined && storedListVersion(existing) > listVersion) {
          return undefined;
        }
        return record(kind, forms.has(value) ? forms.get(value) : value, listVersion);
      },
    });
  }

  cursor(queue: CursorQueue, cursor: number): void {
    if (!isCursorQueue(queue)) throw new UsageError('a cursor queue must come from deviceQueue() or visitorQueue()');
    if (!Number.isSafeInteger(cursor) || cursor < 0) throw new UsageError('a cursor must be a non-negative integer');
    const key = recordKey('cursor', queue);
    this.#claim(key);
    const stored = record('cursor', cursor);
    // PROTOCOL §16.3: cursors only grow; a lower or equal one leaves the saved cursor as it is.
    this.ops.push({
      op: 'update',
      key,
      update: (existing) => (existing === undefined || openCursor(existing, key) < cursor ? stored : undefined),
    });
  }

  setting(name: string, value: SettingValue | undefined): void {
    if (!isSettingName(name)) throw new UsageError('a setting name is 1..64 of a-z 0-9 . _ -, starting alphanumeric');
    const key = recordKey('setting', name);
    this.#claim(key);
    if (value === undefined) {
      this.ops.push({ op: 'delete', key });
      return;
    }
    if (!isSettingValue(value)) throw new UsageError('a setting is a string, finite number, boolean or Uint8Array');
    this.ops.push({ op: 'put', key, record: record('setting', value) });
  }

  delete(key: string): void {
    this.#claim(key);
    this.ops.push({ op: 'delete', key });
  }
}

/** Every state a step writes, with its record key. */
function stepStates<S extends StateShapes>(step: StoreStep<S>): (readonly [string, unknown])[] {
  const named: (readonly [string, unknown])[] = [
    [recordKey('deviceKeys'), step.deviceKeys],
    [recordKey('account'), step.account],
    [recordKey('prekeys'), step.prekeys],
    [recordKey('archive'), step.archive],
    ...(step.directories ?? []).map((d) => [recordKey('directory', idToHex(d.accountId)), d.view] as const),
    ...(step.conversations ?? []).map((c) => [recordKey('conversation', idToHex(c.conversationId)), c.state] as const),
  ];
  return named.filter(([, state]) => state !== undefined);
}

/** The append of one archive item or message (to the list `${kind}s`): its value is an object with a positive integer version. */
function versionedRow(kind: VersionedRowKind, draft: VersionedRowDraft): BackendOp & { readonly op: 'append' } {
  const value: unknown = draft.value;
  if (
    typeof value !== 'object' ||
    value === null ||
    !('version' in value) ||
    typeof value.version !== 'number' ||
    !isSeq(value.version)
  ) {
    throw new UsageError(`a ${kind} row holds an object with a positive integer version`);
  }
  return { op: 'append', store: `${kind}s`, row: listRow(kind, idToHex(draft.conversationId), value) };
}

function planStep<S extends StateShapes>(
  step: StoreStep<S>,
  options: ClientStoreOptions,
  stored: ReadonlyMap<unknown, unknown>,
): BackendOp[] {
  const plan = new StepPlan(options.acceptedVersions, stored);
  if (step.deviceKeys !== undefined) plan.state('deviceKeys', undefined, step.deviceKeys);
  if (step.account !== undefined) plan.state('account', undefined, step.account);
  if (step.prekeys !== undefined) plan.state('prekeys', undefined, step.prekeys);
  if (step.archive !== undefined) plan.state('archive', undefined, step.archive);
  for (const d of step.directories ?? []) {
    if (!isCount(d.listVersion))
      throw new UsageError('a directory view is saved with its list version (0 before any list)');
    plan.state('directory', idToHex(d.accountId), d.view, d.listVersion);
  }
  const forgotten = new Set((step.forget ?? []).map((id) => idToHex(id)));
  const touched = new Set<string>();
  for (const c of step.conversations ?? []) {
    const hex = idToHex(c.conversationId);
    touched.add(hex);
    plan.state('conversation', hex, c.state);
  }
  for (const draft of step.outbox ?? []) {
    let conversation: string;
    try {
      conversation = readEnvelopeRoute(draft.envelope).conversationId;
    } catch (error) {
      throw new UsageError('an outbox entry must be one encoded envelope (PROTOCOL §2.6)', { cause: error });
    }
    if (draft.ref !== undefined && (typeof draft.ref !== 'string' || draft.ref.length > MAX_OUTBOX_REF)) {
      throw new UsageError(`an outbox ref is a string of at most ${MAX_OUTBOX_REF} characters`);
    }
    touched.add(conversation);
    const value = draft.ref === undefined ? { envelope: draft.envelope } : { envelope: draft.envelope, ref: draft.ref };
    plan.ops.push({ op: 'append', store: 'outbox', row: listRow('outbox', conversation, value) });
  }
  for (const seq of step.confirmed ?? []) {
    if (!isSeq(seq)) throw new UsageError('a confirmed outbox entry is named by its seq (a positive integer)');
    plan.ops.push({ op: 'remove', store: 'outbox', seq });
  }
  for (const h of step.history ?? []) {
    if (!(h.recordId instanceof Uint8Array) || h.recordId.length < 1 || h.recordId.length > MAX_RECORD_ID_BYTES) {
      throw new UsageError(`a history record id is 1..${MAX_RECORD_ID_BYTES} bytes (PROTOCOL §9.2)`);
    }
    if (!(h.sealed instanceof Uint8Array) || h.sealed.length === 0) {
      throw new UsageError('a history record needs its sealed bytes');
    }
    const hex = idToHex(h.conversationId);
    touched.add(hex);
    plan.ops.push({
      op: 'append',
      store: 'history',
      row: listRow('history', hex, { recordId: h.recordId, sealed: h.sealed }),
    });
  }
  // Not `touched`: archive items are the account's history and outlive a forgotten conversation.
  for (const item of step.archiveItems ?? []) plan.ops.push(versionedRow('archiveItem', item));
  for (const seq of step.archiveItemsRemoved ?? []) {
    if (!isSeq(seq)) throw new UsageError('a removed archive item is named by its seq (a positive integer)');
    plan.ops.push({ op: 'remove', store: 'archiveItems', seq });
  }
  for (const message of step.messages ?? []) {
    touched.add(idToHex(message.conversationId));
    plan.ops.push(versionedRow('message', message));
  }
  for (const message of step.messagesChanged ?? []) {
    if (!isSeq(message.seq)) throw new UsageError('a changed message is named by its seq (a positive integer)');
    touched.add(idToHex(message.conversationId));
    const { row } = versionedRow('message', message);
    plan.ops.push({ op: 'set', store: 'messages', seq: message.seq, row });
  }
  for (const c of step.cursors ?? []) plan.cursor(c.queue, c.cursor);
  for (const s of step.settings ?? []) plan.setting(s.name, s.value);
  for (const ref of step.discard ?? []) plan.delete(refKey(ref));
  for (const hex of forgotten) {
    if (touched.has(hex)) throw new UsageError(`a step cannot both forget conversation ${hex} and write to it`);
    const conversationId = asConversationId(idBytesFromHex(hex));
    plan.delete(recordKey('conversation', hex));
    plan.delete(recordKey('cursor', visitorQueue(conversationId)));
    plan.ops.push({ op: 'forget', conversation: hex });
  }
  return plan.ops;
}

export function createClientStore<S extends StateShapes>(
  backend: StoreBackend,
  options: ClientStoreOptions = {},
): ClientStore<S> {
  let closed = false;
  const wrappingKeys = new WrappingKeys(backend);

  /**
   * Fills `forms` with the stored form of each of the step's states that holds X25519 keys, and
   * returns the wrapping key used and the op storing it when it is new.
   */
  const wrapStates = async <S2 extends StateShapes>(
    step: StoreStep<S2>,
    forms: Map<unknown, unknown>,
  ): Promise<{ key: StorageWrappingKey; op?: BackendOp } | undefined> => {
    const holding = stepStates(step).filter(([, state]) => holdsX25519(state));
    if (holding.length === 0) return undefined;
    const wrapping = await wrappingKeys.forStep();
    for (const [key, state] of holding) forms.set(state, await wrapStateKeys(state, wrapping.key, key));
    return wrapping;
  };

  const guard = async <T>(run: () => Promise<T>): Promise<T> => {
    if (closed) throw new StorageUnavailableError('the store is closed');
    try {
      return await run();
    } catch (error) {
      if (error instanceof StorageError) throw error;
      throw new StorageUnavailableError('the store could not be read', { cause: error });
    }
  };

  const readState = (kind: StateKind, id?: string): Promise<unknown> =>
    guard(async () => {
      const key = recordKey(kind, id);
      const raw = await backend.get(key);
      if (raw === undefined) return undefined;
      const state = openState(raw, key, kind, options.acceptedVersions?.[kind]);
      return holdsX25519(state) ? unwrapStateKeys(state, await wrappingKeys.stored(), key) : state;
    });

  /** A list's rows in seq order (of one conversation, or all), each opened by `open` (a bad row throws). */
  const readList = <T>(store: ListStore, query: OutboxQuery, open: (raw: unknown) => T): Promise<T[]> =>
    guard(async () => {
      const scan = { after: query.after ?? 0, limit: query.limit ?? Number.POSITIVE_INFINITY };
      const rows = await backend.list(
        store,
        query.conversationId === undefined ? scan : { ...scan, conversation: idToHex(query.conversationId) },
      );
      return rows.map(open);
    });

  /** Archive items or messages: a value of a version this build does not read is a typed error, never skipped. */
  const readVersioned = <K extends VersionedRowKind>(kind: K, query: OutboxQuery): Promise<VersionedRowEntry<S[K]>[]> =>
    readList(`${kind}s`, query, (raw) => {
      const { seq, conversationId, value } = openVersionedRow(raw, kind, options.acceptedVersions?.[kind]);
      return { seq, conversationId, value: value as S[K] };
    });

  return {
    deviceKeys: async () => (await readState('deviceKeys')) as S['deviceKeys'] | undefined,
    account: async () => (await readState('account')) as S['account'] | undefined,
    prekeys: async () => (await readState('prekeys')) as S['prekeys'] | undefined,
    archive: async () => (await readState('archive')) as S['archive'] | undefined,
    directory: async (accountId: AccountId) =>
      (await readState('directory', idToHex(accountId))) as S['directory'] | undefined,
    conversation: async (conversationId: ConversationId) =>
      (await readState('conversation', idToHex(conversationId))) as S['conversation'] | undefined,

    conversationIds: () =>
      guard(async () =>
        (await backend.keysWithPrefix(CONVERSATION_PREFIX)).map((key) => {
          try {
            return asConversationId(idBytesFromHex(key.slice(CONVERSATION_PREFIX.length)));
          } catch (error) {
            throw new StorageCorruptError(`${key}: not a conversation key`, key, { cause: error });
          }
        }),
      ),

    outbox: (query: OutboxQuery = {}): Promise<OutboxEntry[]> => readList('outbox', query, openOutboxRow),

    history: (conversationId: ConversationId, query: ListQuery = {}): Promise<HistoryEntry[]> =>
      readList('history', { ...query, conversationId }, openHistoryRow),

    archiveItems: (query: OutboxQuery = {}): Promise<ArchiveItemEntry<S['archiveItem']>[]> =>
      readVersioned('archiveItem', query),

    messages: (conversationId: ConversationId, query: ListQuery = {}): Promise<MessageRowEntry<S['message']>[]> =>
      readVersioned('message', { ...query, conversationId }),

    cursor: (queue: CursorQueue) =>
      guard(async () => {
        const key = recordKey('cursor', queue);
        const raw = await backend.get(key);
        return raw === undefined ? 0 : openCursor(raw, key);
      }),

    setting: (name: string) =>
      guard(async () => {
        const key = recordKey('setting', name);
        const raw = await backend.get(key);
        return raw === undefined ? undefined : openSetting(raw, key);
      }),

    async commit(step: StoreStep<S>): Promise<CommitResult> {
      if (closed) throw new StorageUnavailableError('the store is closed');
      const forms = new Map<unknown, unknown>();
      const ops = planStep(step, options, forms);
      let seqs: number[];
      try {
        const wrapping = await wrapStates(step, forms);
        if (wrapping?.op !== undefined) ops.push(wrapping.op);
        seqs = await backend.apply(ops);
        if (wrapping !== undefined) wrappingKeys.committed(wrapping.key);
      } catch (error) {
        if (error instanceof StorageError) throw error;
        const reason = writeFailure(error);
        throw new StorageWriteError(`the step was not saved (${reason}); nothing of it was written`, reason, {
          cause: error,
        });
      }
      // The appends in plan order: outbox, history, archive items, messages.
      const outboxCount = step.outbox?.length ?? 0;
      const historyEnd = outboxCount + (step.history?.length ?? 0);
      const itemsEnd = historyEnd + (step.archiveItems?.length ?? 0);
      return {
        outbox: seqs.slice(0, outboxCount),
        history: seqs.slice(outboxCount, historyEnd),
        archiveItems: seqs.slice(historyEnd, itemsEnd),
        messages: seqs.slice(itemsEnd),
      };
    },

    close() {
      if (!closed) {
        closed = true;
        backend.close();
      }
      return Promise.resolve();
    },
  };
}
