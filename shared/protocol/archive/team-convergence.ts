/**
 * Convergence of team-shared items (docs/PROTOCOL.md §9.7): last writer wins by the rank
 * (counter, author device id), compared as (u32, then the 16 id bytes as unsigned big-endian). A
 * delete is a tombstone with its own rank, kept so that an older put cannot bring the item back.
 * The merge is commutative, associative and idempotent, so every device that read the same set of
 * changes, in any order and with repeats, holds the same items.
 */
import { MAX_U32, LimitError } from '../../wire/index.js';

export interface TeamRank {
  readonly counter: number;
  /** The author device id as 32 lowercase hex digits (compares as its bytes do). */
  readonly author: string;
}

/** One item's winning change: `value` undefined is a tombstone (deleted). */
export interface TeamEntry<V> {
  readonly itemId: string;
  readonly rank: TeamRank;
  readonly value: V | undefined;
}

/** True when rank `a` beats rank `b` (a later write). Equal ranks are the same change. */
export function outranks(a: TeamRank, b: TeamRank): boolean {
  if (a.counter !== b.counter) return a.counter > b.counter;
  return a.author > b.author;
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

/**
 * The counter of this device's next change: past every counter it has seen (a Lamport clock), so
 * that an edit made after reading another device's change outranks it.
 */
export function nextTeamCounter(clock: number): number {
  if (clock >= MAX_U32) throw new LimitError('team change counter exhausted');
  return clock + 1;
}
