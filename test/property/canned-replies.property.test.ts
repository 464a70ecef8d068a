/**
 * Team-shared records (PROTOCOL §9.7): the canned-reply and presence codecs are strict and bound
 * to their record id (epoch included), and last-writer-wins convergence by (epoch, counter, author)
 * gives every device the same replies whatever order and repeats the changes arrive in; a maximal
 * counter written in one epoch pins nothing in the next (issue #15, THREAT-MODEL §7).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError, LimitError, SealdeskError } from '../../shared/errors/index.js';
import { utf8Encode } from '../../shared/crypto/index.js';
import {
  type CannedReplyChange,
  checkSealedEpoch,
  EMPTY_TEAM_CLOCK,
  isRetiredTeamRecordId,
  nextTeamCounter,
  type TeamClock,
  tickTeamClock,
  decodeCannedReplyChange,
  decodePresenceChange,
  encodeCannedReplyChange,
  encodePresenceChange,
  InvalidContentError,
  inTeamNamespace,
  isForbiddenInBody,
  mergeTeamChange,
  type CannedReplyText,
  type TeamEntry,
  parseTeamRecordId,
  teamRecordId,
} from '../../shared/protocol/index.js';

const id16 = fc.uint8Array({ minLength: 16, maxLength: 16 });
const MAX = 2 ** 32 - 1;
const counter = fc.integer({ min: 1, max: MAX });
const epoch = fc.integer({ min: 0, max: MAX });
const shortcut = fc.stringMatching(/^[a-z0-9_-]{1,32}$/);
const body = fc
  .string({ minLength: 1, maxLength: 300, unit: 'grapheme' })
  .filter((b) => b.trim() !== '' && !Array.from(b).some((c) => isForbiddenInBody(c.codePointAt(0) ?? 0)));
const op = fc.oneof(
  fc.record({ op: fc.constant('put' as const), shortcut, body }),
  fc.constant({ op: 'delete' as const }),
);
const change: fc.Arbitrary<CannedReplyChange> = fc.record({ replyId: id16, epoch, counter, change: op });

function slotOf(c: CannedReplyChange) {
  const slot = parseTeamRecordId(
    teamRecordId({ kind: 'cannedReply', itemId: c.replyId, epoch: c.epoch, counter: c.counter }),
  );
  if (slot === undefined) throw new Error('a team record id did not parse');
  return slot;
}

describe('canned-reply codec', () => {
  it('round-trips every valid change; the plaintext is a multiple of 256 bytes', () => {
    fc.assert(
      fc.property(change, (c) => {
        const bytes = encodeCannedReplyChange(c);
        expect(bytes.length % 256).toBe(0);
        expect(decodeCannedReplyChange(bytes, slotOf(c))).toEqual(c);
      }),
    );
  });

  it('a single flipped bit is a typed decode error or a different valid change, never anything else', () => {
    fc.assert(
      fc.property(change, fc.nat(), (c, bit) => {
        const bytes = encodeCannedReplyChange(c);
        const flipped = bytes.slice();
        const at = bit % (bytes.length * 8);
        flipped[at >> 3] = (flipped[at >> 3] ?? 0) ^ (1 << (at & 7));
        try {
          const out = decodeCannedReplyChange(flipped, slotOf(c));
          expect(out).not.toEqual(c);
        } catch (error) {
          expect(error).toBeInstanceOf(DecodeError);
        }
      }),
    );
  });

  it('random bytes only ever throw DecodeError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), change, (bytes, c) => {
        expect(() => decodeCannedReplyChange(bytes, slotOf(c))).toThrow(DecodeError);
      }),
    );
  });

  it('a change stored under another reply id, epoch or counter is refused (InvalidContentError)', () => {
    fc.assert(
      fc.property(change, id16, (c, other) => {
        fc.pre(other.some((b, i) => b !== c.replyId[i]));
        const bytes = encodeCannedReplyChange(c);
        const slot = { kind: 'cannedReply' as const, itemId: c.replyId, epoch: c.epoch, counter: c.counter };
        const moved = parseTeamRecordId(teamRecordId({ ...slot, itemId: other }));
        expect(() => decodeCannedReplyChange(bytes, moved ?? slotOf(c))).toThrow(InvalidContentError);
        const later = c.counter === MAX ? c.counter - 1 : c.counter + 1;
        const recounted = parseTeamRecordId(teamRecordId({ ...slot, counter: later }));
        expect(() => decodeCannedReplyChange(bytes, recounted ?? slotOf(c))).toThrow(InvalidContentError);
        const otherEpoch = c.epoch === MAX ? c.epoch - 1 : c.epoch + 1;
        const reEpoched = parseTeamRecordId(teamRecordId({ ...slot, epoch: otherEpoch }));
        expect(() => decodeCannedReplyChange(bytes, reEpoched ?? slotOf(c))).toThrow(InvalidContentError);
      }),
    );
  });

  it('a team record that names another epoch than the one it is sealed under is refused (DecodeError)', () => {
    fc.assert(
      fc.property(epoch, fc.integer({ min: -2, max: 2 }), (named, delta) => {
        const sealed = Math.min(MAX, Math.max(0, named + delta));
        const check = () => {
          checkSealedEpoch(named, sealed, 'team record');
        };
        if (named === sealed) expect(check).not.toThrow();
        else expect(check).toThrow(DecodeError);
      }),
    );
  });

  it('refuses shortcuts and bodies that break the rules, on both sides', () => {
    const c = (s: string, b: string): CannedReplyChange => ({
      replyId: new Uint8Array(16),
      epoch: 1,
      counter: 1,
      change: { op: 'put', shortcut: s, body: b },
    });
    for (const bad of ['', 'has space', 'a'.repeat(33), 'rtl\u202Eevil', 'zero\u200Bwidth'])
      expect(() => encodeCannedReplyChange(c(bad, 'hello'))).toThrow(InvalidContentError);
    for (const bad of ['', '   ', 'x'.repeat(4001), 'bell\u0007', 'isolate\u2066x'])
      expect(() => encodeCannedReplyChange(c('ok', bad))).toThrow(InvalidContentError);
    expect(() => encodeCannedReplyChange(c('héllo_1-2', 'line one\n\tline two 👋🏽'))).not.toThrow();
  });
});

describe('presence codec and record ids', () => {
  it('round-trips, and refuses a presence change under a canned-reply slot', () => {
    fc.assert(
      fc.property(
        id16,
        epoch,
        counter,
        fc.constantFrom('online' as const, 'away' as const),
        (agentId, e, n, status) => {
          const bytes = encodePresenceChange({ agentId, epoch: e, counter: n, status });
          const slot = parseTeamRecordId(teamRecordId({ kind: 'presence', itemId: agentId, epoch: e, counter: n }));
          expect(slot && decodePresenceChange(bytes, slot)).toEqual({ agentId, epoch: e, counter: n, status });
          const wrong = { kind: 'cannedReply' as const, itemId: agentId, epoch: e, counter: n };
          expect(() => decodePresenceChange(bytes, wrong)).toThrow(SealdeskError);
          const otherEpoch = {
            kind: 'presence' as const,
            itemId: agentId,
            epoch: e === MAX ? e - 1 : e + 1,
            counter: n,
          };
          expect(() => decodePresenceChange(bytes, otherEpoch)).toThrow(InvalidContentError);
        },
      ),
    );
  });

  it('team record ids are in their namespace; message record ids (conversation id + message id) never parse as one', () => {
    fc.assert(
      fc.property(id16, id16, epoch, counter, fc.nat(), (itemId, conversationId, e, n, seq) => {
        const teamId = teamRecordId({ kind: 'cannedReply', itemId, epoch: e, counter: n });
        expect(teamId.length).toBe(41);
        expect(inTeamNamespace(teamId)).toBe(true);
        expect(parseTeamRecordId(teamId)).toEqual({ kind: 'cannedReply', itemId, epoch: e, counter: n });
        const messageId = new TextEncoder().encode(`${'ab'.repeat(16)}:${seq}`);
        const messageRecordId = new Uint8Array([...conversationId, ...messageId]);
        fc.pre(!inTeamNamespace(messageRecordId));
        expect(parseTeamRecordId(messageRecordId)).toBeUndefined();
      }),
    );
  });

  it('a record id of the retired format v1 (no epoch, §15) is in the namespace but never parses', () => {
    fc.assert(
      fc.property(id16, counter, (itemId, n) => {
        const v1 = new Uint8Array(37);
        v1.set(utf8Encode('sealdesk/team/v1'));
        v1[16] = 1;
        v1.set(itemId, 17);
        new DataView(v1.buffer).setUint32(33, n);
        expect(inTeamNamespace(v1)).toBe(true);
        expect(isRetiredTeamRecordId(v1)).toBe(true);
        expect(parseTeamRecordId(v1)).toBeUndefined();
      }),
    );
  });
});

describe('convergence: last writer wins by (epoch, counter, author)', () => {
  const authors = [0x00, 0xaa, 0xff].map((b) => new Uint8Array(16).fill(b));
  const author = fc.constantFrom(...authors);
  const smallId = fc.constantFrom(new Uint8Array(16), new Uint8Array(16).fill(7));
  const changeFrom = fc.record({
    change: fc.record({
      replyId: smallId,
      epoch: fc.integer({ min: 1, max: 3 }),
      counter: fc.constantFrom(1, 2, 3, MAX),
      change: op,
    }),
    author,
  });
  interface Authored {
    readonly change: CannedReplyChange;
    readonly author: Uint8Array;
  }
  type Entries = readonly TeamEntry<CannedReplyText>[];
  const entryOf = ({ change: c, author: a }: Authored): TeamEntry<CannedReplyText> => ({
    itemId: c.replyId.join(','),
    rank: { epoch: c.epoch, counter: c.counter, author: a },
    value: c.change.op === 'put' ? { shortcut: c.change.shortcut, body: c.change.body } : undefined,
  });
  const apply = (changes: readonly Authored[], from: Entries = []): Entries =>
    changes.reduce<Entries>((entries, c) => mergeTeamChange(entries, entryOf(c), 100), from);
  const sorted = (entries: Entries): Entries => [...entries].sort((x, y) => x.itemId.localeCompare(y.itemId));
  const live = (entries: Entries): string[] => sorted(entries).flatMap((e) => (e.value ? [e.value.body] : []));
  const uniqueChanges = fc.uniqueArray(changeFrom, {
    maxLength: 12,
    selector: (c) => `${c.change.replyId[0] ?? 0}/${c.change.epoch}/${c.change.counter}/${c.author[0] ?? 0}`,
  });

  it('any order, with repeats, gives the same replies', () => {
    fc.assert(
      fc.property(uniqueChanges, fc.array(fc.nat(), { minLength: 24, maxLength: 24 }), (changes, noise) => {
        const shuffled = [...changes, ...changes]
          .map((c, i) => ({ c, k: noise[i] ?? 0 }))
          .sort((a, b) => a.k - b.k)
          .map((x) => x.c);
        // Every device that read the same changes holds the same entries, tombstones included.
        expect(sorted(apply(shuffled))).toEqual(sorted(apply(changes)));
      }),
    );
  });

  it('the merge is associative: two devices that merged parts, then each other’s, agree', () => {
    fc.assert(
      fc.property(uniqueChanges, fc.nat(), (changes, cut) => {
        const at = changes.length === 0 ? 0 : cut % changes.length;
        const left = apply(changes.slice(0, at));
        const right = apply(changes.slice(at));
        const back = (entries: Entries): Authored[] =>
          entries.map((e) => ({
            author: e.rank.author,
            change: {
              replyId: new Uint8Array(e.itemId.split(',').map(Number)),
              epoch: e.rank.epoch,
              counter: e.rank.counter,
              change: e.value === undefined ? { op: 'delete' } : { op: 'put', ...e.value },
            },
          }));
        expect(sorted(apply(back(right), left))).toEqual(sorted(apply(changes)));
      }),
    );
  });

  it('a delete with the higher rank wins over an edit; a later edit wins over a delete; across epochs too', () => {
    const replyId = new Uint8Array(16);
    const put = (e: number, n: number, text: string): CannedReplyChange => ({
      replyId,
      epoch: e,
      counter: n,
      change: { op: 'put', shortcut: 'hi', body: text },
    });
    const del = (e: number, n: number): CannedReplyChange => ({
      replyId,
      epoch: e,
      counter: n,
      change: { op: 'delete' },
    });
    const a = new Uint8Array(16).fill(0xaa);
    const b = new Uint8Array(16).fill(0xbb);
    const run = (...changes: [CannedReplyChange, Uint8Array][]): string[] =>
      live(apply(changes.map(([change, author]) => ({ change, author }))));
    expect(run([del(1, 2), a], [put(1, 1, 'x'), b])).toEqual([]);
    expect(run([put(1, 1, 'x'), b], [del(1, 2), a])).toEqual([]);
    // Equal counters (concurrent changes): the higher author id wins, in either order.
    expect(run([del(1, 2), a], [put(1, 2, 'y'), b])).toEqual(['y']);
    expect(run([put(1, 2, 'y'), b], [del(1, 2), a])).toEqual(['y']);
    expect(run([put(1, 2, 'y'), b], [put(1, 3, 'z'), a])).toEqual(['z']);
    // A tombstone of a later epoch beats any counter of an earlier one; a later epoch's put re-creates.
    expect(run([put(1, MAX, 'x'), b], [del(2, 1), a])).toEqual([]);
    expect(run([del(2, 1), a], [put(1, MAX, 'x'), b])).toEqual([]);
    expect(run([del(2, 1), a], [put(3, 1, 'again'), b], [put(2, 5, 'older'), b])).toEqual(['again']);
  });

  it('#15: a counter of 2^32 − 1 in epoch e is outranked by an ordinary change in epoch e + 1', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: MAX - 1 }),
        author,
        author,
        fc.integer({ min: 1, max: 1_000 }),
        (e, insider, honest, n) => {
          const pinned: Authored = {
            author: insider,
            change: {
              replyId: new Uint8Array(16),
              epoch: e,
              counter: MAX,
              change: { op: 'put', shortcut: 'pin', body: 'insider' },
            },
          };
          const edit: Authored = {
            author: honest,
            change: {
              replyId: new Uint8Array(16),
              epoch: e + 1,
              counter: n,
              change: { op: 'put', shortcut: 'pin', body: 'honest' },
            },
          };
          expect(live(apply([pinned, edit]))).toEqual(['honest']);
          expect(live(apply([edit, pinned]))).toEqual(['honest']);
        },
      ),
    );
  });

  it('#15: after reading a counter of 2^32 − 1, a device’s next change waits only for the next epoch (no LimitError there)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX - 1 }), fc.integer({ min: 0, max: MAX }), (e, before) => {
        // The clock of a device that read (e, before) and then the insider's (e, 2^32 − 1).
        const clock: TeamClock = tickTeamClock(tickTeamClock(EMPTY_TEAM_CLOCK, { epoch: e, counter: before }), {
          epoch: e,
          counter: MAX,
        });
        expect(() => nextTeamCounter(clock, e)).toThrow(LimitError);
        expect(nextTeamCounter(clock, e + 1)).toBe(1);
        // And the clock moves on with the new epoch: its next counters count from there.
        expect(nextTeamCounter(tickTeamClock(clock, { epoch: e + 1, counter: 1 }), e + 1)).toBe(2);
      }),
    );
  });

  it('the clock is the highest (epoch, counter) seen, whatever the order it was seen in', () => {
    const seen = fc.array(
      fc.record({ epoch: fc.integer({ min: 0, max: 4 }), counter: fc.integer({ min: 0, max: 4 }) }),
    );
    fc.assert(
      fc.property(seen, (marks) => {
        const forward = marks.reduce(tickTeamClock, EMPTY_TEAM_CLOCK);
        const backward = [...marks].reverse().reduce(tickTeamClock, EMPTY_TEAM_CLOCK);
        expect(forward).toEqual(backward);
        for (const m of marks)
          expect(m.epoch < forward.epoch || (m.epoch === forward.epoch && m.counter <= forward.counter)).toBe(true);
      }),
    );
  });
});
