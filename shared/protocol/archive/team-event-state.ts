/**
 * How every device computes the same team state from the same set of team events
 * (docs/PROTOCOL.md §9.8): per conversation, the assignment and the status are each the event of
 * that kind that wins by the one last-writer-wins rank of team records, (epoch, counter, author
 * device id) (§9.7, team-convergence.ts) — so nothing a removed device wrote outlasts the epoch made
 * at its removal — and the notes are every note, in that same order. An author writes one record per
 * epoch and counter (§9.2), so the rank is unique per event and the result depends only on the set:
 * not on arrival order, not on duplicates (property-tested).
 */
import {
  compareTeamRanks,
  EMPTY_TEAM_CLOCK,
  nextTeamCounter,
  type TeamClock,
  type TeamRank,
  tickTeamClock,
} from './team-convergence.js';
import type { TeamEvent, TeamStatus } from './team-event-codec.js';

/** A team event with the device that wrote its record (verified by its signature, §9.2). */
export interface AuthoredTeamEvent {
  readonly event: TeamEvent;
  readonly author: Uint8Array;
}

export interface TeamNote {
  readonly author: Uint8Array;
  readonly epoch: number;
  readonly counter: number;
  readonly at: number;
  readonly text: string;
}

export interface ConversationTeamState {
  /** The agent id assigned, undefined when unassigned (or never assigned). */
  readonly assignee: Uint8Array | undefined;
  /** Whether any status event exists (none: the conversation's own close decides, §9.8). */
  readonly statusSet: boolean;
  /** The status as set ('open' when none), before the snooze rule of `effectiveTeamStatus`. */
  readonly status: TeamStatus;
  readonly snoozedUntil: number;
  /** When the status was set (the author's clock): a visitor message after it ends a snooze. */
  readonly statusAt: number;
  readonly notes: readonly TeamNote[];
}

/** The rank of a team event (§9.7): its sealing epoch, its counter, its author. */
export function teamEventRank(e: AuthoredTeamEvent): TeamRank {
  return { epoch: e.event.epoch, counter: e.event.counter, author: e.author };
}

/** (epoch, counter, author) order of §9.7: negative when `a` comes first. */
export function compareTeamEvents(a: AuthoredTeamEvent, b: AuthoredTeamEvent): number {
  return compareTeamRanks(teamEventRank(a), teamEventRank(b));
}

function key(e: AuthoredTeamEvent): string {
  let out = `${e.event.epoch}:${e.event.counter}:`;
  for (const b of e.author) out += b.toString(16).padStart(2, '0');
  return out;
}

/** The team state of one conversation from its events (any order, duplicates allowed). */
export function teamStateOf(events: readonly AuthoredTeamEvent[]): ConversationTeamState {
  let assign: AuthoredTeamEvent | undefined;
  let status: AuthoredTeamEvent | undefined;
  const notes = new Map<string, AuthoredTeamEvent>();
  for (const e of events) {
    const kind = e.event.body.kind;
    if (kind === 'assign' && (assign === undefined || compareTeamEvents(assign, e) < 0)) assign = e;
    if (kind === 'status' && (status === undefined || compareTeamEvents(status, e) < 0)) status = e;
    if (kind === 'note') notes.set(key(e), e);
  }
  const a = assign?.event.body;
  const s = status?.event.body;
  return {
    assignee: a?.kind === 'assign' ? a.assignee : undefined,
    statusSet: status !== undefined,
    status: s?.kind === 'status' ? s.status : 'open',
    snoozedUntil: s?.kind === 'status' ? s.snoozedUntil : 0,
    statusAt: status?.event.at ?? 0,
    notes: [...notes.values()].sort(compareTeamEvents).map((n) => ({
      author: n.author,
      epoch: n.event.epoch,
      counter: n.event.counter,
      at: n.event.at,
      text: n.event.body.kind === 'note' ? n.event.body.text : '',
    })),
  };
}

/**
 * §9.8: a snoozed conversation is open again once its time has come (`now ≥ snoozedUntil`) or the
 * visitor wrote after the snooze was set (`lastVisitorAt > statusAt`, this device's receive time).
 */
export function effectiveTeamStatus(state: ConversationTeamState, now: number, lastVisitorAt: number): TeamStatus {
  if (state.status !== 'snoozed') return state.status;
  return now >= state.snoozedUntil || lastVisitorAt > state.statusAt ? 'open' : 'snoozed';
}

/**
 * §9.8: the events that can still change the state, the rest dropped (an assignment or status that
 * lost to a later one never wins again); notes are all kept, and so is the event with the highest
 * counter of each epoch, so that the next counter (and so every record id) never repeats.
 */
export function compactTeamEvents(events: readonly AuthoredTeamEvent[]): AuthoredTeamEvent[] {
  const kept = new Map<string, AuthoredTeamEvent>();
  const winners = new Map<string, AuthoredTeamEvent>();
  const highest = new Map<number, AuthoredTeamEvent>();
  for (const e of events) {
    const top = highest.get(e.event.epoch);
    if (top === undefined || compareTeamEvents(top, e) < 0) highest.set(e.event.epoch, e);
    const kind = e.event.body.kind;
    if (kind === 'note') {
      kept.set(`${key(e)}:${e.event.conversationId.join(',')}`, e);
      continue;
    }
    const slot = `${kind}:${e.event.conversationId.join(',')}`;
    const held = winners.get(slot);
    if (held === undefined || compareTeamEvents(held, e) < 0) winners.set(slot, e);
  }
  for (const e of [...winners.values(), ...highest.values()])
    kept.set(`${key(e)}:${e.event.conversationId.join(',')}`, e);
  return [...kept.values()];
}

/** The device's Lamport clock (§9.7) over the events it holds: the highest (epoch, counter). */
export function teamEventClock(events: readonly AuthoredTeamEvent[]): TeamClock {
  return events.reduce<TeamClock>((clock, e) => tickTeamClock(clock, e.event), EMPTY_TEAM_CLOCK);
}

/**
 * The counter of the next event this device writes under `epoch`, its current epoch, by the clock
 * rule of §9.7 (`nextTeamCounter`): LimitError once the epoch's counters are used up, until the next.
 */
export function nextTeamEventCounter(events: readonly AuthoredTeamEvent[], epoch: number): number {
  return nextTeamCounter(teamEventClock(events), epoch);
}
