/**
 * PROTOCOL §9.8 convergence: every device computes the same team state from the same set of
 * team events, whatever order they arrive in and however often (fast-check); compaction never
 * changes the state; a later epoch beats any counter of an earlier one, by the one rank of §9.7
 * that canned replies use too; the snooze rule.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AuthoredTeamEvent,
  type TeamEventBody,
  compactTeamEvents,
  compareTeamRanks,
  mergeTeamChange,
  type TeamEntry,
  effectiveTeamStatus,
  nextTeamEventCounter,
  teamStateOf,
} from '../../shared/protocol/index.js';
import { LimitError, SealdeskError } from '../../shared/errors/index.js';
import { asConversationId } from '../../shared/wire/index.js';

const conversation = asConversationId(new Uint8Array(16).fill(1));
const authors = [1, 2, 3].map((n) => new Uint8Array(16).fill(n));

const body: fc.Arbitrary<TeamEventBody> = fc.oneof(
  fc.option(fc.constantFrom(...authors), { nil: undefined }).map((assignee) => ({ kind: 'assign' as const, assignee })),
  fc
    .constantFrom('open' as const, 'resolved' as const)
    .map((status) => ({ kind: 'status' as const, status, snoozedUntil: 0 })),
  fc
    .integer({ min: 1, max: 10_000 })
    .map((t) => ({ kind: 'status' as const, status: 'snoozed' as const, snoozedUntil: t })),
  fc.string({ minLength: 1, maxLength: 8 }).map((text) => ({ kind: 'note' as const, text })),
);

/** Events with distinct (epoch, counter, author) per conversation, as honest authors write them. */
const eventSet = fc
  .uniqueArray(
    fc.record({
      epoch: fc.integer({ min: 1, max: 3 }),
      counter: fc.integer({ min: 1, max: 6 }),
      author: fc.integer({ min: 0, max: 2 }),
    }),
    { selector: (k) => `${k.epoch}:${k.counter}:${k.author}`, maxLength: 24 },
  )
  .chain((keys) =>
    fc.tuple(
      fc.constant(keys),
      fc.array(body, { minLength: keys.length, maxLength: keys.length }),
      fc.array(fc.nat(5_000), { minLength: keys.length, maxLength: keys.length }),
    ),
  )
  .map(([keys, bodies, ats]) =>
    keys.map((k, i): AuthoredTeamEvent => ({
      author: authors[k.author] ?? new Uint8Array(16),
      event: {
        conversationId: conversation,
        epoch: k.epoch,
        counter: k.counter,
        at: ats[i] ?? 0,
        body: bodies[i] ?? { kind: 'note', text: 'x' },
      },
    })),
  );

/** The counter a device would take next, or the name of the typed error it gets. */
function nextOrError(events: readonly AuthoredTeamEvent[], epoch: number): number | string {
  try {
    return nextTeamEventCounter(events, epoch);
  } catch (error) {
    if (!(error instanceof SealdeskError)) throw error;
    return error.name;
  }
}

describe('§9.8 team state converges', () => {
  it('does not depend on arrival order or duplicates', () => {
    fc.assert(
      fc.property(
        eventSet.chain((events) =>
          fc.tuple(
            fc.constant(events),
            fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }),
            fc.array(fc.constantFrom(...(events.length > 0 ? events : [undefined]))),
          ),
        ),
        ([events, shuffled, repeats]) => {
          const again = [...shuffled, ...repeats.filter((r): r is AuthoredTeamEvent => r !== undefined)];
          expect(teamStateOf(again)).toEqual(teamStateOf(events));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('compaction keeps the state (and the next counter)', () => {
    fc.assert(
      fc.property(eventSet, (events) => {
        const compacted = compactTeamEvents(events);
        expect(teamStateOf(compacted)).toEqual(teamStateOf(events));
        for (const epoch of [1, 2, 3, 4]) expect(nextOrError(compacted, epoch)).toBe(nextOrError(events, epoch));
      }),
      { numRuns: 500 },
    );
  });

  it('last writer wins by (epoch, counter, author); a later epoch beats a huge counter', () => {
    const at = (epoch: number, counter: number, author: number, b: TeamEventBody): AuthoredTeamEvent => ({
      author: authors[author] ?? new Uint8Array(16),
      event: { conversationId: conversation, epoch, counter, at: 0, body: b },
    });
    const assign = (n: number): TeamEventBody => ({ kind: 'assign', assignee: authors[n] });
    expect(teamStateOf([at(1, 2, 0, assign(0)), at(1, 1, 2, assign(2))]).assignee).toEqual(authors[0]);
    expect(teamStateOf([at(1, 2, 0, assign(0)), at(1, 2, 1, assign(1))]).assignee).toEqual(authors[1]);
    expect(teamStateOf([at(1, 0xffff_ffff, 0, assign(0)), at(2, 1, 1, assign(1))]).assignee).toEqual(authors[1]);
    expect(() => nextTeamEventCounter([at(1, 0xffff_ffff, 0, assign(0))], 1)).toThrow(LimitError);
    expect(nextTeamEventCounter([at(1, 0xffff_ffff, 0, assign(0))], 2)).toBe(1);
    expect(nextTeamEventCounter([at(1, 0xffff_ffff, 0, assign(0)), at(2, 1, 1, assign(1))], 2)).toBe(2);
    const notes = teamStateOf([
      at(1, 5, 1, { kind: 'note', text: 'b' }),
      at(1, 5, 0, { kind: 'note', text: 'a' }),
    ]).notes;
    expect(notes.map((n) => n.text)).toEqual(['a', 'b']);
  });

  it('one rule with canned replies (§9.7): the winning assignment is the change mergeTeamChange keeps', () => {
    fc.assert(
      fc.property(eventSet, (events) => {
        const assigns = events.filter((e) => e.event.body.kind === 'assign');
        const entries = assigns.reduce<readonly TeamEntry<number>[]>(
          (held, e, i) =>
            mergeTeamChange(
              held,
              { itemId: 'c', rank: { epoch: e.event.epoch, counter: e.event.counter, author: e.author }, value: i },
              1,
            ),
          [],
        );
        const kept = entries[0];
        const winner = kept === undefined ? undefined : assigns[kept.value ?? -1];
        const state = teamStateOf(events);
        expect(state.assignee).toEqual(winner?.event.body.kind === 'assign' ? winner.event.body.assignee : undefined);
        for (const a of assigns)
          if (kept !== undefined)
            expect(compareTeamRanks(kept.rank, { ...a.event, author: a.author })).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 300 },
    );
  });

  it('a snooze ends when its time comes or the visitor writes after it', () => {
    const snoozed = teamStateOf([
      {
        author: authors[0] ?? new Uint8Array(16),
        event: {
          conversationId: conversation,
          epoch: 1,
          counter: 1,
          at: 100,
          body: { kind: 'status', status: 'snoozed', snoozedUntil: 1_000 },
        },
      },
    ]);
    expect(effectiveTeamStatus(snoozed, 999, 50)).toBe('snoozed');
    expect(effectiveTeamStatus(snoozed, 1_000, 50)).toBe('open');
    expect(effectiveTeamStatus(snoozed, 500, 101)).toBe('open');
    expect(effectiveTeamStatus(teamStateOf([]), 0, 0)).toBe('open');
  });
});
