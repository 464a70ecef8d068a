/**
 * Record ids of team-shared history records (docs/PROTOCOL.md §9.7): canned replies and agent
 * presence live in the account's history records (§9.2) under their own record-id namespace, so
 * that no such record can be taken for a message record and no message record for one of them:
 *
 *   teamRecordId = "sealdesk/team/v2"[16 ASCII bytes] | u8 kind | itemId[16] | u32 epoch | u32 counter   (41 bytes)
 *
 * kind 1 = canned reply (itemId: the reply's random id), 2 = presence (itemId: the agent id);
 * epoch = the archive epoch the record is sealed under, counter = the change's Lamport counter in
 * that epoch (the rank of team-convergence.ts). A message record id is a conversation id then the
 * message id (§9.6); the agent runtime never archives a conversation whose id starts with the
 * namespace prefix "sealdesk/team/". (author, record id) is write-once at the relay, so each change
 * of one item by one device has its own (epoch, counter). The retired format v1 (no epoch, §15) is
 * in the namespace but never parses.
 */
import { MAX_U32, UsageError } from '../../wire/index.js';
import { utf8Encode } from '../../crypto/index.js';

/** The prefix every version of the team namespace shares (a record id starting with it is a team record). */
const TEAM_NAMESPACE_PREFIX: Uint8Array = utf8Encode('sealdesk/team/');
export const TEAM_RECORD_NAMESPACE: Uint8Array = utf8Encode('sealdesk/team/v2');
/** §15: the namespace of the retired format without epochs; its records are refused. */
const RETIRED_TEAM_RECORD_NAMESPACE: Uint8Array = utf8Encode('sealdesk/team/v1');

export const TEAM_RECORD_KINDS = { cannedReply: 1, presence: 2 } as const;
export type TeamRecordKind = keyof typeof TEAM_RECORD_KINDS;

export const TEAM_ITEM_ID_BYTES = 16;
export const TEAM_RECORD_ID_BYTES = TEAM_RECORD_NAMESPACE.length + 1 + TEAM_ITEM_ID_BYTES + 4 + 4;

export interface TeamRecordSlot {
  readonly kind: TeamRecordKind;
  readonly itemId: Uint8Array;
  /** The archive epoch the record is sealed under (§9.1), the first part of its rank. */
  readonly epoch: number;
  /** The change's Lamport counter in that epoch (1..2^32-1). */
  readonly counter: number;
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  return bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);
}

/** True when `recordId` opens with the team namespace prefix (whatever version and bytes follow). */
export function inTeamNamespace(recordId: Uint8Array): boolean {
  return startsWith(recordId, TEAM_NAMESPACE_PREFIX);
}

/** True for a record id of the retired team-record format v1 (§15), which readers refuse. */
export function isRetiredTeamRecordId(recordId: Uint8Array): boolean {
  return startsWith(recordId, RETIRED_TEAM_RECORD_NAMESPACE);
}

function isU32(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0 && n <= MAX_U32;
}

export function teamRecordId(slot: TeamRecordSlot): Uint8Array {
  if (slot.itemId.length !== TEAM_ITEM_ID_BYTES) throw new UsageError('team item ids are 16 bytes');
  if (!isU32(slot.epoch)) throw new UsageError('team record epochs are u32');
  if (!isU32(slot.counter) || slot.counter < 1) throw new UsageError('team record counters are 1..2^32-1');
  const out = new Uint8Array(TEAM_RECORD_ID_BYTES);
  const view = new DataView(out.buffer);
  out.set(TEAM_RECORD_NAMESPACE, 0);
  let o = TEAM_RECORD_NAMESPACE.length;
  out[o++] = TEAM_RECORD_KINDS[slot.kind];
  out.set(slot.itemId, o);
  o += TEAM_ITEM_ID_BYTES;
  view.setUint32(o, slot.epoch);
  view.setUint32(o + 4, slot.counter);
  return out;
}

/**
 * The slot a team record id names, or undefined when it is not exactly a team record id of the
 * current format (a record id in the namespace that is malformed or retired is then refused by the
 * caller).
 */
export function parseTeamRecordId(recordId: Uint8Array): TeamRecordSlot | undefined {
  if (recordId.length !== TEAM_RECORD_ID_BYTES || !startsWith(recordId, TEAM_RECORD_NAMESPACE)) return undefined;
  let o = TEAM_RECORD_NAMESPACE.length;
  const tag = recordId[o++];
  const kind = (Object.keys(TEAM_RECORD_KINDS) as TeamRecordKind[]).find((k) => TEAM_RECORD_KINDS[k] === tag);
  if (kind === undefined) return undefined;
  const itemId = recordId.slice(o, o + TEAM_ITEM_ID_BYTES);
  o += TEAM_ITEM_ID_BYTES;
  const view = new DataView(recordId.buffer, recordId.byteOffset, recordId.byteLength);
  const epoch = view.getUint32(o);
  const counter = view.getUint32(o + 4);
  if (counter === 0) return undefined;
  return { kind, itemId, epoch, counter };
}
