/**
 * Plaintext of an agent-presence history record (docs/PROTOCOL.md §9.7): the status an agent set
 * by hand (online or away), sealed like any history record (§9.2) under the record id
 * `teamRecordId(presence, agentId, epoch, counter)`, which the plaintext repeats and the reader checks
 * (and the epoch against the record's sealing epoch, `checkSealedEpoch`).
 * Only a device of that agent may write it: the reader checks the author device's agent id in the
 * verified list of the record's epoch.
 *
 *   presenceChange = u8 version | u8 suite | u8 kind (= 2) | agentId[16] | u32 epoch | u32 counter | u8 status (1 online, 2 away)
 */
import { type Codec, decode, encode, fixedBytes, refine, struct, u32, u8 } from '../../wire/index.js';
import { InvalidContentError, versioned } from '../core/index.js';
import { TEAM_ITEM_ID_BYTES, TEAM_RECORD_KINDS, type TeamRecordSlot } from './team-record-ids.js';

export const PRESENCE_STATUSES = { online: 1, away: 2 } as const;
export type PresenceStatus = keyof typeof PRESENCE_STATUSES;

export interface PresenceChange {
  readonly agentId: Uint8Array;
  /** The archive epoch the record is sealed under (§9.1). */
  readonly epoch: number;
  readonly counter: number;
  readonly status: PresenceStatus;
}

interface Wire {
  readonly kind: number;
  readonly agentId: Uint8Array;
  readonly epoch: number;
  readonly counter: number;
  readonly status: number;
}

const STATUS_NAMES = Object.keys(PRESENCE_STATUSES) as PresenceStatus[];

const presenceCodec: Codec<Wire> = versioned(
  struct<Wire>({
    kind: refine(u8, (k) => (k === TEAM_RECORD_KINDS.presence ? undefined : 'not a presence change')),
    agentId: fixedBytes(TEAM_ITEM_ID_BYTES),
    epoch: u32,
    counter: refine(u32, (c) => (c === 0 ? 'a change counter starts at 1' : undefined)),
    status: refine(u8, (s) =>
      STATUS_NAMES.some((n) => PRESENCE_STATUSES[n] === s) ? undefined : 'unknown presence status',
    ),
  }),
);

export function encodePresenceChange(change: PresenceChange): Uint8Array {
  return encode(presenceCodec, {
    kind: TEAM_RECORD_KINDS.presence,
    agentId: change.agentId,
    epoch: change.epoch,
    counter: change.counter,
    status: PRESENCE_STATUSES[change.status],
  });
}

/** The change a presence record holds (DecodeError; InvalidContentError when it is not its record id's). */
export function decodePresenceChange(plaintext: Uint8Array, slot: TeamRecordSlot): PresenceChange {
  const wire = decode(presenceCodec, plaintext, 'presenceChange');
  const status = STATUS_NAMES.find((n) => PRESENCE_STATUSES[n] === wire.status);
  if (
    status === undefined ||
    slot.kind !== 'presence' ||
    slot.epoch !== wire.epoch ||
    slot.counter !== wire.counter ||
    !slot.itemId.every((b, i) => wire.agentId[i] === b)
  )
    throw new InvalidContentError('presence change does not belong to the record id it was stored under');
  return { agentId: wire.agentId, epoch: wire.epoch, counter: wire.counter, status };
}
