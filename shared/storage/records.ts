/**
 * How values are kept: every stored value is wrapped in a record `{ schema, kind, value }`, so a
 * reader can tell a record it understands from one written by a newer build (unknown schema) or a
 * damaged one (corrupt). Readers check the record and the parts of the value this layer owns;
 * protocol states are checked only for their numeric `version` (their inside is the protocol's).
 */
import { ID_BYTES, type ConversationId, asConversationId, idBytesFromHex } from '../wire/index.js';
import type { SettingValue } from './client-store.js';
import { StorageCorruptError, StorageSchemaError } from './storage-errors.js';

export const STATE_KINDS = ['deviceKeys', 'account', 'prekeys', 'archive', 'directory', 'conversation'] as const;
export type StateKind = (typeof STATE_KINDS)[number];
export type RecordKind =
  StateKind | 'cursor' | 'setting' | 'outbox' | 'history' | 'archiveItem' | 'message' | 'wrappingKey';
/** The list kinds whose rows hold a versioned value: archive items and shown messages. */
export type VersionedRowKind = 'archiveItem' | 'message';
/** The kinds whose versions `acceptedVersions` names: the states and the versioned rows. */
export type VersionedKind = StateKind | VersionedRowKind;

/**
 * The record schema this build writes and reads, per kind. Changing a kind's layout raises its
 * number and adds a database upgrade that rewrites the old records (indexeddb/idb-schema.ts,
 * dexie/dexie-schema.ts); a reader never guesses at a schema it does not know.
 */
export const RECORD_SCHEMAS: Readonly<Record<RecordKind, number>> = {
  deviceKeys: 1,
  account: 1,
  prekeys: 1,
  archive: 1,
  directory: 1,
  conversation: 1,
  cursor: 1,
  setting: 1,
  outbox: 1,
  history: 1,
  archiveItem: 1,
  message: 1,
  wrappingKey: 1,
};

export interface StoredRecord {
  readonly schema: number;
  readonly kind: RecordKind;
  readonly value: unknown;
  /**
   * A directory view's newest device-list version (PROTOCOL §4.4): a stored view is never replaced
   * by one of a lower version. Absent in other records (and in directory records of earlier builds).
   */
  readonly listVersion?: number;
}

/** A row of the outbox or history store: a record plus the conversation the store indexes (hex). */
export interface ListRow extends StoredRecord {
  readonly conversation: string;
}

export function record(kind: RecordKind, value: unknown, listVersion?: number): StoredRecord {
  return listVersion === undefined
    ? { schema: RECORD_SCHEMAS[kind], kind, value }
    : { schema: RECORD_SCHEMAS[kind], kind, value, listVersion };
}

/** The list version a stored directory record was saved with (0 for one saved before it was kept). */
export function storedListVersion(raw: unknown): number {
  if (!isObject(raw)) return 0;
  const version = raw['listVersion'];
  return isCount(version) ? version : 0;
}

export type ListKind = 'outbox' | 'history' | VersionedRowKind;

export function listRow(kind: ListKind, conversation: string, value: unknown): ListRow {
  return { schema: RECORD_SCHEMAS[kind], kind, conversation, value };
}

const MAX_SETTING_NAME = 64;
const SETTING_NAME = /^[a-z0-9][a-z0-9._-]*$/;
export const MAX_OUTBOX_REF = 128;
export const MAX_RECORD_ID_BYTES = 64;

/** Key of a record in the records store: the kind, then `/id` for keyed kinds. */
export function recordKey(kind: Exclude<RecordKind, ListKind>, id?: string): string {
  return id === undefined ? kind : `${kind}/${id}`;
}

export function isSettingName(name: string): boolean {
  return name.length <= MAX_SETTING_NAME && SETTING_NAME.test(name);
}

function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** The value of a record of `kind`, after checking the record itself. */
export function openRecord(raw: unknown, key: string, kind: RecordKind): unknown {
  if (!isObject(raw) || !('value' in raw)) throw new StorageCorruptError(`${key}: not a stored record`, key);
  const { schema } = raw;
  if (!Number.isSafeInteger(schema)) throw new StorageCorruptError(`${key}: the record has no schema number`, key);
  if (raw['kind'] !== kind) throw new StorageCorruptError(`${key}: a record of another kind is stored here`, key);
  if (schema !== RECORD_SCHEMAS[kind]) {
    throw new StorageSchemaError(
      `${key}: record schema ${String(schema)} is not known to this build (it reads ${RECORD_SCHEMAS[kind]}); update the app`,
      key,
    );
  }
  return raw['value'];
}

/** A protocol state: any object with a positive integer `version`, within `accepted` when given. */
export function openState(
  raw: unknown,
  key: string,
  kind: StateKind,
  accepted: readonly number[] | undefined,
): unknown {
  return checkVersion(openRecord(raw, key, kind), key, accepted);
}

function checkVersion(value: unknown, key: string, accepted: readonly number[] | undefined): unknown {
  if (!isObject(value) || !isCount(value['version']) || value['version'] === 0) {
    throw new StorageCorruptError(`${key}: the stored state has no version`, key);
  }
  if (accepted !== undefined && !accepted.includes(value['version'])) {
    throw new StorageSchemaError(
      `${key}: state version ${value['version']} is not one this build reads (${accepted.join(', ')}); update the app`,
      key,
    );
  }
  return value;
}

export function openCursor(raw: unknown, key: string): number {
  const value = openRecord(raw, key, 'cursor');
  if (!isCount(value)) throw new StorageCorruptError(`${key}: the cursor is not a count`, key);
  return value;
}

export function isSettingValue(value: unknown): value is SettingValue {
  return (
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value)) ||
    value instanceof Uint8Array
  );
}

export function openSetting(raw: unknown, key: string): SettingValue {
  const value = openRecord(raw, key, 'setting');
  if (!isSettingValue(value)) throw new StorageCorruptError(`${key}: the setting has an unsupported type`, key);
  return value;
}

function openListRow(
  raw: unknown,
  kind: ListKind,
): { seq: number; conversationId: ConversationId; value: Readonly<Record<string, unknown>> } {
  const seq = isObject(raw) && isCount(raw['seq']) ? raw['seq'] : -1;
  const key = `${kind}/${seq}`;
  const value = openRecord(raw, key, kind);
  const conversation = isObject(raw) ? raw['conversation'] : undefined;
  if (seq < 1 || typeof conversation !== 'string' || conversation.length !== ID_BYTES * 2 || !isObject(value)) {
    throw new StorageCorruptError(`${key}: the row lacks its seq, conversation or value`, key);
  }
  let conversationId: ConversationId;
  try {
    conversationId = asConversationId(idBytesFromHex(conversation));
  } catch (error) {
    throw new StorageCorruptError(`${key}: the row's conversation id is not 32 hex digits`, key, { cause: error });
  }
  return { seq, conversationId, value };
}

function bytesIn(value: unknown, min: number, max: number): value is Uint8Array {
  return value instanceof Uint8Array && value.length >= min && value.length <= max;
}

export function openOutboxRow(raw: unknown): {
  seq: number;
  conversationId: ConversationId;
  envelope: Uint8Array;
  ref: string | undefined;
} {
  const { seq, conversationId, value } = openListRow(raw, 'outbox');
  const { envelope, ref } = value;
  if (!bytesIn(envelope, 1, Number.MAX_SAFE_INTEGER) || (ref !== undefined && typeof ref !== 'string')) {
    throw new StorageCorruptError(`outbox/${seq}: the entry has no envelope`, `outbox/${seq}`);
  }
  return { seq, conversationId, envelope, ref };
}

export function openHistoryRow(raw: unknown): {
  seq: number;
  conversationId: ConversationId;
  recordId: Uint8Array;
  sealed: Uint8Array;
} {
  const { seq, conversationId, value } = openListRow(raw, 'history');
  const { recordId, sealed } = value;
  if (!bytesIn(recordId, 1, MAX_RECORD_ID_BYTES) || !bytesIn(sealed, 1, Number.MAX_SAFE_INTEGER)) {
    throw new StorageCorruptError(`history/${seq}: the record has no id or sealed bytes`, `history/${seq}`);
  }
  return { seq, conversationId, recordId, sealed };
}

/** An archive item or message row: its value is any object with a positive integer `version` (within `accepted`). */
export function openVersionedRow(
  raw: unknown,
  kind: VersionedRowKind,
  accepted: readonly number[] | undefined,
): { seq: number; conversationId: ConversationId; value: unknown } {
  const { seq, conversationId, value } = openListRow(raw, kind);
  return { seq, conversationId, value: checkVersion(value, `${kind}/${seq}`, accepted) };
}
