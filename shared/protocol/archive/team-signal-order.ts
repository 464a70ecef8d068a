/**
 * Freshness and replay of team signals (docs/PROTOCOL.md §9.9), for signals that opened
 * (team-signal.ts). A reader refuses a signal whose author clock `at` is more than
 * TEAM_SIGNAL_TIMING.maxSkewMs from its own, and one whose `(at, sequence)` is not above the last
 * it accepted from the same author device (compared as `at`, then `sequence`). The author keeps
 * `(at, sequence)` strictly growing within a run (`at` never below its last one, the sequence +1),
 * and a new run starts at a later `at`, so an honest signal is never refused as a replay.
 */
import type { TeamSignal } from './team-signal-codec.js';

export const TEAM_SIGNAL_TIMING = {
  /** |reader now - at| above this: stale (or from the future), refused. */
  maxSkewMs: 30_000,
  /** A viewing or typing state not refreshed for this long is over on the reader. */
  expireAfterMs: 15_000,
  /** The author refreshes a state that holds this often. */
  refreshEveryMs: 10_000,
  /** The author sends `typing` at most this often while the person keeps typing. */
  typingThrottleMs: 3_000,
  /** Composing with no keystroke for this long: back to `viewing`. */
  typingIdleMs: 6_000,
} as const;

export type TeamSignalVerdict = 'accepted' | 'stale' | 'replay';

/** The last `(at, sequence)` accepted per author device (hex id); memory only. */
export class TeamSignalOrder {
  readonly #last = new Map<string, { readonly at: number; readonly sequence: number }>();

  /** Checks `signal` from `author` at the reader's `now`; remembers it when accepted. */
  admit(author: string, signal: TeamSignal, now: number): TeamSignalVerdict {
    if (Math.abs(now - signal.at) > TEAM_SIGNAL_TIMING.maxSkewMs) return 'stale';
    const last = this.#last.get(author);
    if (last !== undefined && (signal.at < last.at || (signal.at === last.at && signal.sequence <= last.sequence)))
      return 'replay';
    this.#last.set(author, { at: signal.at, sequence: signal.sequence });
    return 'accepted';
  }

  /** Forgets a device (removed from the list). */
  forget(author: string): void {
    this.#last.delete(author);
  }
}
