/**
 * Team-shared records (PROTOCOL §9.7): the canned-reply and presence codecs are strict and bound
 * to their record id, and last-writer-wins convergence gives every device the same replies
 * whatever order and repeats the changes arrive in.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError, SealdeskError } from '../../shared/errors/index.js';
import {
  type CannedReplyChange,
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
const counter = fc.integer({ min: 1, max: 2 ** 32 - 1 });
const shortcut = fc.stringMatching(/^[a-z0-9_-]{1,32}$/);
const body = fc
  .string({ minLength: 1, maxLength: 300, unit: 'grapheme' })
  .filter((b) => b.trim() !== '' && !Array.from(b).some((c) => isForbiddenInBody(c.codePointAt(0) ?? 0)));
const op = fc.oneof(
  fc.record({ op: fc.constant('put' as const), shortcut, body }),
  fc.constant({ op: 'delete' as const }),
);
const change: fc.Arbitrary<CannedReplyChange> = fc.record({ replyId: id16, counter, change: op });

function slotOf(c: CannedReplyChange) {
  const slot = parseTeamRecordId(teamRecordId({ kind: 'cannedReply', itemId: c.replyId, counter: c.counter }));
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

  it('a change stored under another reply id or counter is refused (InvalidContentError)', () => {
    fc.assert(
      fc.property(change, id16, (c, other) => {
        fc.pre(other.some((b, i) => b !== c.replyId[i]));
        const bytes = encodeCannedReplyChange(c);
        const moved = parseTeamRecordId(teamRecordId({ kind: 'cannedReply', itemId: other, counter: c.counter }));
        expect(() => decodeCannedReplyChange(bytes, moved ?? slotOf(c))).toThrow(InvalidContentError);
        const later = c.counter === 2 ** 32 - 1 ? c.counter - 1 : c.counter + 1;
        const recounted = parseTeamRecordId(teamRecordId({ kind: 'cannedReply', itemId: c.replyId, counter: later }));
        expect(() => decodeCannedReplyChange(bytes, recounted ?? slotOf(c))).toThrow(InvalidContentError);
      }),
    );
  });

  it('refuses shortcuts and bodies that break the rules, on both sides', () => {
    const c = (s: string, b: string): CannedReplyChange => ({
      replyId: new Uint8Array(16),
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
      fc.property(id16, counter, fc.constantFrom('online' as const, 'away' as const), (agentId, n, status) => {
        const bytes = encodePresenceChange({ agentId, counter: n, status });
        const slot = parseTeamRecordId(teamRecordId({ kind: 'presence', itemId: agentId, counter: n }));
        expect(slot && decodePresenceChange(bytes, slot)).toEqual({ agentId, counter: n, status });
        const wrong = { kind: 'cannedReply' as const, itemId: agentId, counter: n };
        expect(() => decodePresenceChange(bytes, wrong)).toThrow(SealdeskError);
      }),
    );
  });

  it('team record ids are in their namespace; message record ids (conversation id + message id) never parse as one', () => {
    fc.assert(
      fc.property(id16, id16, counter, fc.nat(), (itemId, conversationId, n, seq) => {
        const teamId = teamRecordId({ kind: 'cannedReply', itemId, counter: n });
        expect(inTeamNamespace(teamId)).toBe(true);
        expect(parseTeamRecordId(teamId)).toEqual({ kind: 'cannedReply', itemId, counter: n });
        const messageId = new TextEncoder().encode(`${'ab'.repeat(16)}:${seq}`);
        const messageRecordId = new Uint8Array([...conversationId, ...messageId]);
        fc.pre(!inTeamNamespace(messageRecordId));
        expect(parseTeamRecordId(messageRecordId)).toBeUndefined();
      }),
    );
  });
});

describe('convergence: last writer wins by (counter, author)', () => {
  const author = fc.constantFrom('0'.repeat(32), 'a'.repeat(32), 'f'.repeat(32));
  const smallId = fc.constantFrom(new Uint8Array(16), new Uint8Array(16).fill(7));
  const changeFrom = fc.record({
    change: fc.record({ replyId: smallId, counter: fc.integer({ min: 1, max: 5 }), change: op }),
    author,
  });
  type Entries = readonly TeamEntry<CannedReplyText>[];
  const apply = (changes: readonly { change: CannedReplyChange; author: string }[]): Entries =>
    changes.reduce<Entries>(
      (entries, { change: c, author: a }) =>
        mergeTeamChange(
          entries,
          {
            itemId: c.replyId.join(','),
            rank: { counter: c.counter, author: a },
            value: c.change.op === 'put' ? { shortcut: c.change.shortcut, body: c.change.body } : undefined,
          },
          100,
        ),
      [],
    );
  const sorted = (entries: Entries): Entries => [...entries].sort((x, y) => x.itemId.localeCompare(y.itemId));
  const live = (entries: Entries): string[] => sorted(entries).flatMap((e) => (e.value ? [e.value.body] : []));

  it('any order, with repeats, gives the same replies', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(changeFrom, {
          maxLength: 12,
          selector: (c) => `${c.change.replyId[0] ?? 0}/${c.change.counter}/${c.author}`,
        }),
        fc.array(fc.nat(), { minLength: 24, maxLength: 24 }),
        (changes, noise) => {
          const shuffled = [...changes, ...changes]
            .map((c, i) => ({ c, k: noise[i] ?? 0 }))
            .sort((a, b) => a.k - b.k)
            .map((x) => x.c);
          // Every device that read the same changes holds the same entries, tombstones included.
          expect(sorted(apply(shuffled))).toEqual(sorted(apply(changes)));
        },
      ),
    );
  });

  it('a delete with the higher rank wins over an edit; a later edit wins over a delete', () => {
    const replyId = new Uint8Array(16);
    const put = (n: number, text: string): CannedReplyChange => ({
      replyId,
      counter: n,
      change: { op: 'put', shortcut: 'hi', body: text },
    });
    const del = (n: number): CannedReplyChange => ({ replyId, counter: n, change: { op: 'delete' } });
    const a = 'a'.repeat(32);
    const b = 'b'.repeat(32);
    const run = (...changes: [CannedReplyChange, string][]): string[] =>
      live(apply(changes.map(([change, author]) => ({ change, author }))));
    expect(run([del(2), a], [put(1, 'x'), b])).toEqual([]);
    expect(run([put(1, 'x'), b], [del(2), a])).toEqual([]);
    // Equal counters (concurrent changes): the higher author id wins, in either order.
    expect(run([del(2), a], [put(2, 'y'), b])).toEqual(['y']);
    expect(run([put(2, 'y'), b], [del(2), a])).toEqual(['y']);
    expect(run([put(2, 'y'), b], [put(3, 'z'), a])).toEqual(['z']);
  });
});
