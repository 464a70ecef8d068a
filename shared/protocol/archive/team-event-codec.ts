/**
 * Team events (docs/PROTOCOL.md §9.8; issue #15 items 1-2): assignment, status and internal notes
 * of a conversation, shared between the business's own devices as history records (§9.2) sealed
 * under the current archive epoch key. This file is the plaintext encoding and the record-id
 * namespace; team-event-state.ts is how devices converge.
 *
 *   recordId  = 0x00 | "team" | u8 format (2) | u32 epoch | u32 counter               (14 bytes)
 *   plaintext = u8 version | u8 suite | conversationId[16] | u32 epoch | u32 counter | u64 at | u8 kind | fields
 *             | padding (u32 length | zero bytes: the whole plaintext a multiple of 256 bytes, F17)
 *     kind 1 assign: optional(agentId[16])                  (presence byte 0 = unassigned)
 *     kind 2 status: u8 state (1 open, 2 snoozed, 3 resolved) | u64 snoozedUntil (> 0 iff snoozed)
 *     kind 3 note:   u32 len | UTF-8 text (1..4,096 bytes)
 *
 * Every kind is padded the same way, so the relay cannot tell a note from an assignment, nor a
 * short note from a long one, below the block (§9.8, §15). Format 1 (13-byte ids, no padding) is
 * retired: its records are refused with a DecodeError.
 *
 * The record id names no conversation (the relay sees record ids): an author's (epoch, counter) is
 * unique, as the counter is one sequence across all conversations. A message record's id is at least
 * 50 bytes (§9.6: conversationId || messageId), so no record id can be read as both. The plaintext
 * repeats the epoch and counter, and a reader refuses one that does not match its record id (the
 * signature binds the record id already, §9.2);
 * the epoch must also be the one the record is sealed under (checked by the runtime, which sees it).
 */
import { concatBytes, constantTimeEqual } from '../../crypto/index.js';
import { DecodeError, UsageError } from '../../errors/index.js';
import {
  type ConversationId,
  type CodecValue,
  conversationIdCodec,
  decode,
  encode,
  fixedBytes,
  optional,
  refine,
  struct,
  taggedUnion,
  u32,
  u64,
  u8,
  utf8String,
  varBytes,
} from '../../wire/index.js';
import { versioned } from '../core/index.js';
import { TEAM_PADDING_BLOCK, checkZeroPadding, padLengthTo } from './team-padding.js';

export const TEAM_EVENT_LIMITS = {
  /** UTF-8 bytes of one internal note. */
  maxNoteBytes: 4_096,
} as const;

/** §9.8: the prefix of a team event's record id. */
const NAMESPACE = new Uint8Array([0x00, 0x74, 0x65, 0x61, 0x6d]); // 0x00 "team"
/** §9.8, §15: the team-event format this build writes and reads (2: padded plaintexts). */
export const TEAM_EVENT_FORMAT = 2;
const ID_BYTES = 16;
export const TEAM_EVENT_RECORD_ID_BYTES = NAMESPACE.length + 1 + 8;
/** A record id of the retired format 1: the prefix, then u32 epoch | u32 counter (no format byte). */
const RETIRED_V1_RECORD_ID_BYTES = NAMESPACE.length + 8;

export const TEAM_STATUS_CODES = { open: 1, snoozed: 2, resolved: 3 } as const;
export type TeamStatus = keyof typeof TEAM_STATUS_CODES;

export const TEAM_EVENT_KIND_TAGS = { assign: 1, status: 2, note: 3 } as const;

/** What an event says; `assignee` is an agent id (§3.2) or undefined for "unassigned". */
export type TeamEventBody =
  | { readonly kind: 'assign'; readonly assignee: Uint8Array | undefined }
  | { readonly kind: 'status'; readonly status: TeamStatus; readonly snoozedUntil: number }
  | { readonly kind: 'note'; readonly text: string };

export interface TeamEvent {
  readonly conversationId: ConversationId;
  /** The archive epoch the record is sealed under (§9.1): a later epoch's events win. */
  readonly epoch: number;
  /** §9.8 Lamport counter within the epoch, one sequence for all conversations: 1 + the highest seen. */
  readonly counter: number;
  /** The author's clock, ms since the epoch (shown, and compared with visitor messages; not for order). */
  readonly at: number;
  readonly body: TeamEventBody;
}

const statusCodec = refine(u8, (v) =>
  Object.values(TEAM_STATUS_CODES).some((c) => c === v) ? undefined : `unknown team status ${v}`,
);

const bodyCodec = taggedUnion('kind', {
  assign: {
    tag: TEAM_EVENT_KIND_TAGS.assign,
    codec: struct<{ assignee: Uint8Array | undefined }>({ assignee: optional(fixedBytes(ID_BYTES)) }),
  },
  status: {
    tag: TEAM_EVENT_KIND_TAGS.status,
    codec: struct<{ status: number; snoozedUntil: number }>({ status: statusCodec, snoozedUntil: u64 }),
  },
  note: {
    tag: TEAM_EVENT_KIND_TAGS.note,
    codec: struct<{ text: string }>({
      text: refine(utf8String(TEAM_EVENT_LIMITS.maxNoteBytes), (t) => (t.length === 0 ? 'a note is empty' : undefined)),
    }),
  },
});

const teamEventCodec = versioned(
  struct<{
    conversationId: ConversationId;
    epoch: number;
    counter: number;
    at: number;
    body: CodecValue<typeof bodyCodec>;
    padding: Uint8Array;
  }>({
    conversationId: conversationIdCodec,
    epoch: u32,
    counter: refine(u32, (c) => (c === 0 ? 'the counter starts at 1' : undefined)),
    at: u64,
    body: bodyCodec,
    padding: refine(varBytes(TEAM_PADDING_BLOCK - 1), checkZeroPadding),
  }),
);

const STATUS_BY_CODE = new Map<number, TeamStatus>(
  Object.entries(TEAM_STATUS_CODES).map(([name, code]) => [code, name as TeamStatus]),
);

function toWire(event: TeamEvent): CodecValue<typeof teamEventCodec> {
  const b = event.body;
  const body =
    b.kind === 'status'
      ? { kind: 'status' as const, status: TEAM_STATUS_CODES[b.status], snoozedUntil: b.snoozedUntil }
      : b;
  const wire = { conversationId: event.conversationId, epoch: event.epoch, counter: event.counter, at: event.at, body };
  return { ...wire, padding: new Uint8Array(0) };
}

/** §9.8: snoozedUntil is set exactly for `snoozed`. */
function snoozeRule(body: TeamEventBody): string | undefined {
  if (body.kind !== 'status') return undefined;
  if (body.status === 'snoozed' && body.snoozedUntil === 0) return 'a snooze needs a time';
  if (body.status !== 'snoozed' && body.snoozedUntil !== 0) return `a ${body.status} status carries no snooze time`;
  return undefined;
}

export function teamEventRecordId(epoch: number, counter: number): Uint8Array {
  return concatBytes(NAMESPACE, new Uint8Array([TEAM_EVENT_FORMAT]), encode(u32, epoch), encode(u32, counter));
}

/**
 * Whether a history record id is in the team-event namespace (§9.8), whatever else it holds: of
 * this format or of the retired format 1 (which decodeTeamEvent refuses, so it is never read as a
 * message record).
 */
export function isTeamEventRecordId(recordId: Uint8Array): boolean {
  return (
    (recordId.length === TEAM_EVENT_RECORD_ID_BYTES || recordId.length === RETIRED_V1_RECORD_ID_BYTES) &&
    constantTimeEqual(recordId.subarray(0, NAMESPACE.length), NAMESPACE)
  );
}

/**
 * The plaintext of a team event, padded to a multiple of 256 bytes whatever its kind (§9.8);
 * UsageError for one an honest device must not write.
 */
export function encodeTeamEvent(event: TeamEvent): Uint8Array {
  const reason = snoozeRule(event.body);
  if (reason !== undefined) throw new UsageError(`team event: ${reason}`);
  const wire = toWire(event);
  const unpadded = encode(teamEventCodec, wire);
  return encode(teamEventCodec, { ...wire, padding: new Uint8Array(padLengthTo(unpadded.length)) });
}

/**
 * The event of a record's plaintext, strictly read: DecodeError when it is malformed, breaks a rule
 * of §9.8, or names another epoch or counter than the record id it was stored under.
 */
export function decodeTeamEvent(plaintext: Uint8Array, recordId: Uint8Array): TeamEvent {
  if (recordId.length === RETIRED_V1_RECORD_ID_BYTES)
    throw new DecodeError('team event: a record of the retired format 1 (unpadded), refused (§15)');
  const wire = decode(teamEventCodec, plaintext, 'teamEvent');
  // Strict (§2.7): one encoding per event, so the padding is the shortest that fills the block.
  if (plaintext.length % TEAM_PADDING_BLOCK !== 0)
    throw new DecodeError(`team event: the plaintext is not a multiple of ${TEAM_PADDING_BLOCK} bytes`);
  const b = wire.body;
  let body: TeamEventBody;
  if (b.kind === 'status') {
    const status = STATUS_BY_CODE.get(b.status);
    if (status === undefined) throw new DecodeError(`team event: unknown status ${b.status}`);
    body = { kind: 'status', status, snoozedUntil: b.snoozedUntil };
  } else body = b;
  const reason = snoozeRule(body);
  if (reason !== undefined) throw new DecodeError(`team event: ${reason}`);
  if (!constantTimeEqual(teamEventRecordId(wire.epoch, wire.counter), recordId))
    throw new DecodeError('team event: it does not belong to the record id it was stored under');
  return { conversationId: wire.conversationId, epoch: wire.epoch, counter: wire.counter, at: wire.at, body };
}
