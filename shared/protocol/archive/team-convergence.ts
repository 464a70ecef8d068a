/**
 * The one last-writer-wins rule of team-shared records (docs/PROTOCOL.md §9.7), used by canned
 * replies and presence (§9.7) and by team events (§9.8, `teamStateOf`):
 *
 * - rank = (epoch, counter, author device id), compared as u32, u32, then the 16 id bytes
 *   (unsigned, lexicographic). `epoch` is the archive epoch the record is sealed under (§9.1), so
 *   the epoch the owner makes at a device's removal (§9.5) outranks everything that device wrote:
 *   nothing it chose, not even a counter of 2^32 − 1, survives its removal (security.md §5).
 * - clock = the highest (epoch, counter) a device wrote or read; its next change under its current
 *   epoch takes one more counter (1 in an epoch newer than the clock's). A used-up counter
 *   (LimitError) lasts only until the next epoch.
 *
 * `mergeTeamChange` keeps one winning change per item: a delete is a tombstone with its own rank, so
 * that an older put read later cannot bring the item back. The merge is commutative, associative and
 * idempotent: devices that read the same set of changes, in any order and with repeats, agree.
 */
import { DecodeError, LimitError } from '../../errors/index.js';
import { MAX_U32 } from '../../wire/index.js';
import { ProtocolStateError } from '../core/index.js';

/** Where a change stands in its item's history (§9.7): a later epoch, then counter, then author wins. */
export interface TeamRank {
  /** The archive epoch the record is sealed under (§9.1). */
  readonly epoch: number;
  /** The Lamport counter within that epoch, 1..2^32−1. */
  readonly counter: number;
  /** The author device id (16 bytes, verified by the record's signature, §9.2). */
  readonly author: Uint8Array;
}

/** A device's Lamport clock: the highest (epoch, counter) it wrote or read. */
export interface TeamClock {
  readonly epoch: number;
  readonly counter: number;
}

export const EMPTY_TEAM_CLOCK: TeamClock = { epoch: 0, counter: 0 };

/** Unsigned lexicographic order of two ids: negative when `a` comes first. */
function compareIds(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** (epoch, counter, author) order: negative when `a` is older, 0 for the same change. */
export function compareTeamRanks(a: TeamRank, b: TeamRank): number {
  if (a.epoch !== b.epoch) return a.epoch - b.epoch;
  if (a.counter !== b.counter) return a.counter - b.counter;
  return compareIds(a.author, b.author);
}

/** True when rank `a` beats rank `b` (a later write). Equal ranks are the same change. */
export function outranks(a: TeamRank, b: TeamRank): boolean {
  return compareTeamRanks(a, b) > 0;
}

/** The clock after a change of rank `seen` was written or read: the higher (epoch, counter). */
export function tickTeamClock(clock: TeamClock, seen: TeamClock): TeamClock {
  if (seen.epoch !== clock.epoch)
    return seen.epoch > clock.epoch ? { epoch: seen.epoch, counter: seen.counter } : clock;
  return seen.counter > clock.counter ? { epoch: clock.epoch, counter: seen.counter } : clock;
}

/**
 * The counter of this device's next change sealed under `epoch` (its current epoch, §9.1): past
 * every counter of that epoch it has seen, so an edit made after reading another device's change
 * outranks it. ProtocolStateError when the clock is in a later epoch (the change could not outrank
 * what was read); LimitError when the epoch's counters are used up, until the next epoch.
 */
export function nextTeamCounter(clock: TeamClock, epoch: number): number {
  if (epoch > clock.epoch) return 1;
  if (epoch < clock.epoch)
    throw new ProtocolStateError(`team records of epoch ${clock.epoch} were read; epoch ${epoch} is older`);
  if (clock.counter >= MAX_U32)
    throw new LimitError(`team change counter of epoch ${epoch} used up until the owner makes a new epoch`);
  return clock.counter + 1;
}

/**
 * §9.7: a team record's plaintext names the epoch of its record id; it must be the epoch the record
 * is sealed under (the record body's, §9.2), else DecodeError: a record cannot be ranked in an epoch
 * it was not sealed in.
 */
export function checkSealedEpoch(named: number, sealedEpoch: number, what: string): void {
  if (named !== sealedEpoch)
    throw new DecodeError(`${what}: it names epoch ${named} but is sealed under epoch ${sealedEpoch}`);
}

/** One item's winning change: `value` undefined is a tombstone (deleted). */
export interface TeamEntry<V> {
  readonly itemId: string;
  readonly rank: TeamRank;
  readonly value: V | undefined;
}

/**
 * `entries` with `change` merged in: it replaces the item's entry when it outranks it, otherwise
 * nothing changes (the same array is returned, so callers can tell). `max` caps the items held,
 * tombstones included (LimitError for a new item past it).
 */
export function mergeTeamChange<V>(
  entries: readonly TeamEntry<V>[],
  change: TeamEntry<V>,
  max: number,
): readonly TeamEntry<V>[] {
  const at = entries.findIndex((e) => e.itemId === change.itemId);
  if (at === -1) {
    if (entries.length >= max) throw new LimitError(`more than ${max} team items of one kind`);
    return [...entries, change];
  }
  const held = entries[at];
  if (held === undefined || !outranks(change.rank, held.rank)) return entries;
  return entries.map((e, i) => (i === at ? change : e));
}
