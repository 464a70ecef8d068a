/**
 * What an agent device keeps of the inbox archive (PROTOCOL §9), stored as the `archive` record
 * (its messages one per row beside it: agent-archive-items.ts), and the plaintext of the history
 * records it writes (§9.2):
 *
 *   recordId  = conversationId[16] || UTF-8(messageId)        (messageId = `${senderDeviceHex}:${seq}`, ≤ 48 bytes)
 *   plaintext = UTF-8(JSON { conversationId, message [, attachmentRef] })
 *               (the message as this device showed it; an attachment's reference, base64url of
 *               the §8.2 encoding, so a device linked later can open the file too)
 *
 * A reader keys what it shows by (conversation, message id) and refuses a record whose plaintext
 * does not match its record id, so a record cannot be shown in another conversation or slot.
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

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function historyRecordId(conversationId: Uint8Array, messageId: string): Uint8Array {
  return concatBytes(conversationId, encoder.encode(messageId));
}

export function encodeArchivedMessage({ message, ref }: ArchivableMessage): Uint8Array {
  // Delivery status is this device's view of its own sends: not history.
  return encoder.encode(
    JSON.stringify({
      conversationId: message.conversationId,
      message: { ...message, status: undefined },
      ...(ref === undefined ? {} : { attachmentRef: toBase64Url(encode(attachmentRefCodec, ref)) }),
    }),
  );
}

type Json = Readonly<Record<string, unknown>>;

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
 * The message of a record's plaintext, strictly read; DecodeError when it is malformed or does
 * not belong to `recordId` (another conversation or message id than its slot), and when an
 * attachment's reference breaks §8.2 or does not describe the attachment shown (its name, type
 * and size come from the reference that opens it, so what is shown is what opens).
 */
export function decodeArchivedMessage(plaintext: Uint8Array, recordId: Uint8Array): ArchivableMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(plaintext));
  } catch (error) {
    throw new DecodeError('history record: the plaintext is not JSON text', { cause: error });
  }
  const top = object(parsed, 'the record');
  const m = object(top['message'], 'the message');
  const conversationId = text(m['conversationId'], 'the conversation id', 32);
  const id = text(m['id'], 'the message id', 48);
  const from = FROM.find((f) => f === m['from']);
  if (from === undefined) throw new DecodeError('history record: unknown sender kind');
  if (
    top['conversationId'] !== conversationId ||
    toHex(historyRecordId(hexBytes(conversationId), id)) !== toHex(recordId)
  )
    throw new DecodeError('history record: the message does not belong to the record id it was stored under');
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
  const ref = refOf(top['attachmentRef'], message);
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
