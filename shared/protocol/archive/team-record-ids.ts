/**
 * Record ids of team-shared history records (docs/PROTOCOL.md §9.7): canned replies and agent
 * presence live in the account's history records (§9.2) under their own record-id namespace, so
 * that no such record can be taken for a message record and no message record for one of them:
 *
 *   teamRecordId = "sealdesk/team/v1"[16 ASCII bytes] | u8 kind | itemId[16] | u32 counter   (37 bytes)
 *
 * kind 1 = canned reply (itemId: the reply's random id), 2 = presence (itemId: the agent id).
 * A message record id is a conversation id then the message id (§9.6); the agent runtime never
 * archives a conversation whose id equals the namespace bytes. (author, record id) is write-once at
 * the relay, so each change of one item by one device has its own counter.
 */
import { MAX_U32, UsageError } from '../../wire/index.js';
import { utf8Encode } from '../../crypto/index.js';

export const TEAM_RECORD_NAMESPACE: Uint8Array = utf8Encode('sealdesk/team/v1');

export const TEAM_RECORD_KINDS = { cannedReply: 1, presence: 2 } as const;
export type TeamRecordKind = keyof typeof TEAM_RECORD_KINDS;

export const TEAM_ITEM_ID_BYTES = 16;
export const TEAM_RECORD_ID_BYTES = TEAM_RECORD_NAMESPACE.length + 1 + TEAM_ITEM_ID_BYTES + 4;

export interface TeamRecordSlot {
  readonly kind: TeamRecordKind;
  readonly itemId: Uint8Array;
  /** The change's Lamport counter (1..2^32-1), also its last-writer-wins rank (§9.7). */
  readonly counter: number;
}

/** True when `recordId` opens with the team namespace (whatever follows). */
export function inTeamNamespace(recordId: Uint8Array): boolean {
  if (recordId.length < TEAM_RECORD_NAMESPACE.length) return false;
  return TEAM_RECORD_NAMESPACE.every((b, i) => recordId[i] === b);
}

export function teamRecordId(slot: TeamRecordSlot): Uint8Array {
  if (slot.itemId.length !== TEAM_ITEM_ID_BYTES) throw new UsageError('team item ids are 16 bytes');
  if (!Number.isSafeInteger(slot.counter) || slot.counter < 1 || slot.counter > MAX_U32)
    throw new UsageError('team record counters are 1..2^32-1');
  const out = new Uint8Array(TEAM_RECORD_ID_BYTES);
  out.set(TEAM_RECORD_NAMESPACE, 0);
  let o = TEAM_RECORD_NAMESPACE.length;
  out[o++] = TEAM_RECORD_KINDS[slot.kind];
  out.set(slot.itemId, o);
  o += TEAM_ITEM_ID_BYTES;
  new DataView(out.buffer).setUint32(o, slot.counter);
  return out;
}

/**
 * The slot a team record id names, or undefined when it is not exactly a team record id (a
 * record id in the namespace that is malformed is then refused by the caller).
 */
export function parseTeamRecordId(recordId: Uint8Array): TeamRecordSlot | undefined {
  if (recordId.length !== TEAM_RECORD_ID_BYTES || !inTeamNamespace(recordId)) return undefined;
  let o = TEAM_RECORD_NAMESPACE.length;
  const tag = recordId[o++];
  const kind = (Object.keys(TEAM_RECORD_KINDS) as TeamRecordKind[]).find((k) => TEAM_RECORD_KINDS[k] === tag);
  if (kind === undefined) return undefined;
  const itemId = recordId.slice(o, o + TEAM_ITEM_ID_BYTES);
  o += TEAM_ITEM_ID_BYTES;
  const counter = new DataView(recordId.buffer, recordId.byteOffset, recordId.byteLength).getUint32(o);
  if (counter === 0) return undefined;
  return { kind, itemId, counter };
}
