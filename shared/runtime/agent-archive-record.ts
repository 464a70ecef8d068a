/**
 * What an agent device keeps of the inbox archive (PROTOCOL §9), stored as the `archive` record
 * (its messages one per row beside it: agent-archive-items.ts), and the plaintext of the history
 * records it writes (§9.2, §9.6):
 *
 *   recordId  = conversationId[16] || UTF-8(id of its first message)   (`${senderDeviceHex}:${seq}`, ≤ 48 bytes)
 *   plaintext = UTF-8(JSON { conversationId, messages: [{ message [, attachmentRef] }, …] })   (1..64 messages)
 *               (each message as this device showed it; an attachment's reference, base64url of
 *               the §8.2 encoding, so a device linked later can open the file too)
 *
 * Records of the first format carry one message at the top: `{ conversationId, message [, attachmentRef] }`;
 * they are still read. A reader keys what it shows by (conversation, message id) and refuses a
 * record whose plaintext does not match its record id (another conversation, another first
 * message, a message twice), so a record cannot be shown in another conversation or slot.
 */
import { concatBytes, fromBase64Url, fromHex, toBase64Url, toHex } from '../crypto/index.js';
import { DecodeError } from '../errors/index.js';
import {
  type ArchiveKeyGrant,
  type ArchiveKeyring,
  type AttachmentRef,
  type AuthoredTeamEvent,
  attachmentRefCodec,
} from '../protocol/index.js';
import { decode, encode } from '../wire/index.js';
import { attachmentHandle } from './conversation-record.js';
import type { TeamEventDraft } from './agent-team-events-record.js';
import type { ChatBody, ChatMessage, HexId } from './api-common.js';
import type { TeamSharedDraft, TeamSharedState } from './agent-canned-state.js';

/** Version 2: the messages moved out to one archive item each (version 1 held them in the record). */
export const AGENT_ARCHIVE_RECORD_VERSION = 2;

/**
 * A message as a history record carries it: what was shown and, for an attachment, the reference
 * that opens it (absent in records written before references were archived: shown by name only).
 */
export interface ArchivableMessage {
  readonly message: ChatMessage;
  readonly ref?: AttachmentRef;
}

/** A message this device showed that waits for the current archive key to be sealed (§9.1 pending). */
export type UnsealedMessage = ArchivableMessage;

/** A message read from a history record, with the device that wrote the record (shown as its author). */
export interface ArchivedMessage extends ArchivableMessage {
  readonly author: HexId;
}

export interface AgentArchiveRecord {
  readonly version: typeof AGENT_ARCHIVE_RECORD_VERSION;
  /** Undefined on a linked device until its first grant arrives. */
  readonly keyring: ArchiveKeyring | undefined;
  /** The relay cursors read up to (grants to this device; the account's records). */
  readonly grantCursor: number;
  readonly recordCursor: number;
  /** Sealed grants saved before they are sent (the owner's rotation, §9.5). */
  readonly outgoingGrants: readonly ArchiveKeyGrant[];
  /** Sealed records saved (with the keyring's usage count) before they are sent. */
  readonly outgoingRecords: readonly {
    readonly recordId: Uint8Array;
    readonly record: Uint8Array;
    /** Ask the relay to nudge the other devices when it is stored (team events, PROTOCOL §16.11). */
    readonly notify?: true;
  }[];
  /** Team events (PROTOCOL §9.8) read and written, compacted (agent-team-events-record.ts). */
  readonly team?: readonly AuthoredTeamEvent[];
  /** This device's team events waiting for the current archive key (§9.1). */
  readonly teamUnsealed?: readonly TeamEventDraft[];
  /** Canned replies and presence (§9.7); absent in records saved before them (= none). */
  readonly shared?: TeamSharedState;
  /** This device's canned-reply and presence changes (§9.7) waiting for the current archive key (§9.1). */
  readonly sharedUnsealed?: readonly TeamSharedDraft[];
}

/**
 * The record as version 1 stored it: the messages read from history records (at most 5,000, the
 * oldest dropped) and those waiting for a key were arrays inside it, so every save rewrote them all.
 */
export interface AgentArchiveRecordV1 extends Omit<AgentArchiveRecord, 'version'> {
  readonly version: 1;
  readonly unsealed: readonly UnsealedMessage[];
  readonly archived: readonly ArchivedMessage[];
}

/** What the store may hold under `archive`: this build's record or one to upgrade (agent-archive-items.ts). */
export type StoredArchiveRecord = AgentArchiveRecord | AgentArchiveRecordV1;

export function emptyArchiveRecord(keyring?: ArchiveKeyring): AgentArchiveRecord {
  return {
    version: AGENT_ARCHIVE_RECORD_VERSION,
    keyring,
    grantCursor: 0,
    recordCursor: 0,
    outgoingGrants: [],
    outgoingRecords: [],
  };
}

type Json = Readonly<Record<string, unknown>>;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function historyRecordId(conversationId: Uint8Array, messageId: string): Uint8Array {
  return concatBytes(conversationId, encoder.encode(messageId));
}

/** Messages one history record carries at most (§9.6); a reader refuses more. */
export const MESSAGES_PER_RECORD = 64;

/**
 * Plaintext bytes one record's messages fill before the next record starts: the sealed record
 * stays under the relay's default blob limit (64 KiB, SEALDESK_MAX_BLOB_BYTES).
 */
const RECORD_PLAINTEXT_TARGET = 48 * 1024;

function entryOf({ message, ref }: ArchivableMessage): Json {
  // Delivery status is this device's view of its own sends: not history.
  return {
    message: { ...message, status: undefined },
    ...(ref === undefined ? {} : { attachmentRef: toBase64Url(encode(attachmentRefCodec, ref)) }),
  };
}

function batchPlaintext(conversationId: HexId, entries: readonly Json[]): Uint8Array {
  return encoder.encode(JSON.stringify({ conversationId, messages: entries }));
}

/** One record's worth of messages of one conversation: its record id and plaintext (§9.6). */
export interface ArchiveBatch {
  readonly conversationId: HexId;
  readonly messages: readonly ArchivableMessage[];
  readonly plaintext: Uint8Array;
}

/**
 * The messages as history records (§9.6): grouped by conversation in the order given, at most
 * MESSAGES_PER_RECORD and about 48 KiB of plaintext per record (a larger message goes alone).
 */
export function archiveBatches(messages: readonly ArchivableMessage[]): ArchiveBatch[] {
  const byConversation = new Map<HexId, ArchivableMessage[]>();
  for (const item of messages) {
    const list = byConversation.get(item.message.conversationId) ?? [];
    list.push(item);
    byConversation.set(item.message.conversationId, list);
  }
  const batches: ArchiveBatch[] = [];
  for (const [conversationId, items] of byConversation) {
    let entries: Json[] = [];
    let taken: ArchivableMessage[] = [];
    let size = 0;
    const close = (): void => {
      if (taken.length > 0)
        batches.push({ conversationId, messages: taken, plaintext: batchPlaintext(conversationId, entries) });
      entries = [];
      taken = [];
      size = 0;
    };
    for (const item of items) {
      const entry = entryOf(item);
      const bytes = encoder.encode(JSON.stringify(entry)).length + 1;
      if (taken.length === MESSAGES_PER_RECORD || (taken.length > 0 && size + bytes > RECORD_PLAINTEXT_TARGET)) close();
      entries.push(entry);
      taken.push(item);
      size += bytes;
    }
    close();
  }
  return batches;
}

function object(value: unknown, what: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new DecodeError(`history record: ${what} is not an object`);
  return value as Json;
}

function text(value: unknown, what: string, max = 100_000): string {
  if (typeof value !== 'string' || value.length > max) throw new DecodeError(`history record: ${what} is not text`);
  return value;
}

function count(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw new DecodeError(`history record: ${what} is not a count`);
  return value;
}

function bodyOf(value: unknown, conversationId: HexId, messageId: string): ChatBody {
  const b = object(value, 'the body');
  switch (b['kind']) {
    case 'text':
      return { kind: 'text', text: text(b['text'], 'the text') };
    case 'note':
      return { kind: 'note', text: text(b['text'], 'the note') };
    case 'close':
      return { kind: 'close', reason: text(b['reason'], 'the reason') };
    case 'attachment': {
      const a = object(b['attachment'], 'the attachment');
      if (a['messageId'] !== messageId)
        throw new DecodeError('history record: the attachment names another message than its own');
      return {
        kind: 'attachment',
        attachment: {
          conversationId,
          messageId,
          name: text(a['name'], 'the attachment name', 1024),
          mime: text(a['mime'], 'the attachment type', 255),
          size: count(a['size'], 'the attachment size'),
        },
      };
    }
    default:
      throw new DecodeError('history record: unknown message kind');
  }
}

const FROM = ['self', 'agent', 'visitor'] as const;

/**
 * The messages of a record's plaintext, strictly read (either format); DecodeError when it is
 * malformed or does not belong to `recordId` (another conversation, another first message id,
 * a message twice, more than MESSAGES_PER_RECORD), and when an attachment's reference breaks §8.2
 * or does not describe the attachment shown (its name, type and size come from the reference
 * that opens it, so what is shown is what opens).
 */
export function decodeArchivedMessages(plaintext: Uint8Array, recordId: Uint8Array): ArchivableMessage[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(plaintext));
  } catch (error) {
    throw new DecodeError('history record: the plaintext is not JSON text', { cause: error });
  }
  const top = object(parsed, 'the record');
  const conversationId = text(top['conversationId'], 'the conversation id', 32);
  const list = top['messages'];
  let entries: readonly unknown[];
  if (list === undefined) entries = [top];
  else if (!Array.isArray(list) || list.length === 0 || list.length > MESSAGES_PER_RECORD)
    throw new DecodeError(`history record: the messages are not a list of 1 to ${MESSAGES_PER_RECORD}`);
  else entries = list;
  const read = entries.map((entry) => entryFrom(object(entry, 'a message entry'), conversationId));
  const ids = new Set(read.map((r) => r.message.id));
  const first = read[0]?.message.id ?? '';
  if (ids.size !== read.length || toHex(historyRecordId(hexBytes(conversationId), first)) !== toHex(recordId))
    throw new DecodeError('history record: the messages do not belong to the record id they were stored under');
  return read;
}

/** One `{ message [, attachmentRef] }` of a record, which must be of the record's conversation. */
function entryFrom(entry: Json, conversationId: HexId): ArchivableMessage {
  const m = object(entry['message'], 'the message');
  const id = text(m['id'], 'the message id', 48);
  const from = FROM.find((f) => f === m['from']);
  if (from === undefined) throw new DecodeError('history record: unknown sender kind');
  if (m['conversationId'] !== conversationId)
    throw new DecodeError('history record: a message of another conversation than its record');
  const agentName = m['agentName'];
  const message: ChatMessage = {
    id,
    conversationId,
    from,
    senderDeviceId: text(m['senderDeviceId'], 'the sender', 32),
    ...(agentName === undefined ? {} : { agentName: text(agentName, 'the agent name', 256) }),
    sentAt: count(m['sentAt'], 'the sent time'),
    receivedAt: count(m['receivedAt'], 'the received time'),
    body: bodyOf(m['body'], conversationId, id),
    ...(m['late'] === true ? { late: true as const } : {}),
  };
  const ref = refOf(entry['attachmentRef'], message);
  return ref === undefined ? { message } : { message, ref };
}

/** An archived attachment's reference (§8.2 rules included), which must describe what is shown. */
function refOf(value: unknown, message: ChatMessage): AttachmentRef | undefined {
  if (value === undefined) return undefined;
  if (message.body.kind !== 'attachment')
    throw new DecodeError('history record: an attachment reference on a message that is not an attachment');
  const ref = decode(attachmentRefCodec, fromBase64Url(text(value, 'the attachment reference', 1024)), 'attachmentRef');
  const shown = attachmentHandle(message.conversationId, message.id, ref);
  const { name, mime, size } = message.body.attachment;
  if (shown.name !== name || shown.mime !== mime || shown.size !== size)
    throw new DecodeError('history record: the attachment reference does not match the attachment shown');
  return ref;
}

function hexBytes(hex: string): Uint8Array {
  if (!/^[0-9a-f]{32}$/.test(hex)) throw new DecodeError('history record: the conversation id is not 32 hex digits');
  return fromHex(hex);
}
