/**
 * PROTOCOL §9.8: the team-event plaintext and its record-id namespace. Round trips; every rule
 * refused with a DecodeError (empty or oversized note, snooze without time, time without snooze,
 * unknown kind or status, trailing bytes, another slot, non-zero or non-minimal padding, the
 * retired format 1); every kind padded to the same 256-byte blocks; random bytes only ever give
 * DecodeError.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError, UsageError } from '../../../shared/errors/index.js';
import {
  TEAM_EVENT_LIMITS,
  type TeamEvent,
  decodeTeamEvent,
  encodeTeamEvent,
  isTeamEventRecordId,
  teamEventRecordId,
} from '../../../shared/protocol/index.js';
import { TEAM_PADDING_BLOCK } from '../../../shared/protocol/archive/team-padding.js';
import { asConversationId } from '../../../shared/wire/index.js';

const conversation = asConversationId(new Uint8Array(16).fill(7));

function event(body: TeamEvent['body'], counter = 3, epoch = 2): TeamEvent {
  return { conversationId: conversation, epoch, counter, at: 1_700_000_000_000, body };
}

function slot(e: TeamEvent): Uint8Array {
  return teamEventRecordId(e.epoch, e.counter);
}

describe('§9.8 team event codec', () => {
  it('round-trips assign, unassign, each status and a note', () => {
    const events = [
      event({ kind: 'assign', assignee: new Uint8Array(16).fill(9) }),
      event({ kind: 'assign', assignee: undefined }),
      event({ kind: 'status', status: 'open', snoozedUntil: 0 }),
      event({ kind: 'status', status: 'resolved', snoozedUntil: 0 }),
      event({ kind: 'status', status: 'snoozed', snoozedUntil: 1_700_000_360_000 }),
      event({ kind: 'note', text: 'VIP — call back before 5 🙂' }),
    ];
    for (const e of events) expect(decodeTeamEvent(encodeTeamEvent(e), slot(e))).toEqual(e);
  });

  it('keeps team records apart from message records (§9.6 ids carry a hex digit at byte 16)', () => {
    const id = slot(event({ kind: 'note', text: 'x' }));
    expect(id).toHaveLength(14);
    expect(id[5]).toBe(2); // the format byte (§15)
    expect(isTeamEventRecordId(id)).toBe(true);
    const messageRecordId = new Uint8Array([...conversation, ...new TextEncoder().encode(`${'ab'.repeat(16)}:1`)]);
    expect(isTeamEventRecordId(messageRecordId)).toBe(false);
    expect(isTeamEventRecordId(id.subarray(0, 12))).toBe(false);
    expect(isTeamEventRecordId(new Uint8Array([...id, 0]))).toBe(false);
  });

  it('refuses an event stored under another slot: epoch or counter', () => {
    const e = event({ kind: 'status', status: 'resolved', snoozedUntil: 0 });
    const bytes = encodeTeamEvent(e);
    for (const other of [teamEventRecordId(e.epoch + 1, e.counter), teamEventRecordId(e.epoch, e.counter + 1)])
      expect(() => decodeTeamEvent(bytes, other)).toThrow(DecodeError);
  });

  it('refuses what an honest writer cannot write, and malformed bytes, with DecodeError', () => {
    expect(() => encodeTeamEvent(event({ kind: 'status', status: 'snoozed', snoozedUntil: 0 }))).toThrow(UsageError);
    expect(() => encodeTeamEvent(event({ kind: 'status', status: 'open', snoozedUntil: 5 }))).toThrow(UsageError);
    expect(() => encodeTeamEvent(event({ kind: 'note', text: '' }))).toThrow(UsageError);
    expect(() =>
      encodeTeamEvent(event({ kind: 'note', text: 'x'.repeat(TEAM_EVENT_LIMITS.maxNoteBytes + 1) })),
    ).toThrow(UsageError);
    expect(() => encodeTeamEvent(event({ kind: 'note', text: 'x' }, 0))).toThrow(UsageError);

    const good = event({ kind: 'status', status: 'open', snoozedUntil: 0 });
    const bytes = encodeTeamEvent(good);
    const kindAt = 2 + 16 + 4 + 4 + 8;
    const mutate = (at: number, value: number): Uint8Array => {
      const out = bytes.slice();
      out[at] = value;
      return out;
    };
    const refused = [
      mutate(kindAt, 9), // unknown kind
      mutate(kindAt + 1, 7), // unknown status
      mutate(kindAt + 1, 2), // snoozed without a time
      mutate(0, 3), // unknown version
      new Uint8Array([...bytes, 0]), // trailing byte
      bytes.subarray(0, bytes.length - 1), // truncated
    ];
    for (const b of refused) expect(() => decodeTeamEvent(b, slot(good))).toThrow(DecodeError);
  });

  it('random bytes only ever give DecodeError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.uint8Array({ minLength: 14, maxLength: 14 }), (bytes, id) => {
        try {
          decodeTeamEvent(bytes, id);
        } catch (error) {
          expect(error).toBeInstanceOf(DecodeError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

/** Header (version, suite, conversation, epoch, counter, at, kind) and the padding's length prefix. */
const NOTE_OVERHEAD = 2 + 16 + 4 + 4 + 8 + 1 + 4 + 4;

describe('§9.8 team events are padded (F17): the relay cannot tell a note from an assignment by size', () => {
  it('round-trips notes at the block sizes: every plaintext a multiple of 256 bytes, padding minimal', () => {
    const fits = TEAM_PADDING_BLOCK - NOTE_OVERHEAD;
    const cases: [number, number][] = [
      [1, 256],
      [fits, 256], // no padding bytes at all
      [fits + 1, 512],
      [TEAM_EVENT_LIMITS.maxNoteBytes, 4_352],
    ];
    for (const [bytes, length] of cases) {
      const e = event({ kind: 'note', text: 'n'.repeat(bytes) });
      const plaintext = encodeTeamEvent(e);
      expect(plaintext).toHaveLength(length);
      expect(decodeTeamEvent(plaintext, slot(e))).toEqual(e);
    }
  });

  it('a 1-byte note, a 200-byte note, an assignment and a status give the same length', () => {
    const kinds = fc.oneof(
      fc
        .string({ minLength: 1, maxLength: 200 })
        .filter((t) => {
          const n = new TextEncoder().encode(t).length;
          return n >= 1 && n <= TEAM_PADDING_BLOCK - NOTE_OVERHEAD;
        })
        .map((text): TeamEvent['body'] => ({ kind: 'note', text })),
      fc
        .option(fc.uint8Array({ minLength: 16, maxLength: 16 }), { nil: undefined })
        .map((assignee): TeamEvent['body'] => ({ kind: 'assign', assignee })),
      fc.constantFrom<TeamEvent['body']>(
        { kind: 'status', status: 'open', snoozedUntil: 0 },
        { kind: 'status', status: 'snoozed', snoozedUntil: 1_700_000_360_000 },
      ),
    );
    fc.assert(
      fc.property(kinds, fc.integer({ min: 1, max: 2 ** 32 - 1 }), (body, counter) => {
        const e = event(body, counter);
        const plaintext = encodeTeamEvent(e);
        expect(plaintext).toHaveLength(TEAM_PADDING_BLOCK);
        expect(decodeTeamEvent(plaintext, slot(e))).toEqual(e);
      }),
      { numRuns: 500 },
    );
    const sizes = [
      event({ kind: 'note', text: 'x' }),
      event({ kind: 'note', text: 'y'.repeat(200) }),
      event({ kind: 'assign', assignee: new Uint8Array(16).fill(9) }),
    ].map((e) => encodeTeamEvent(e).length);
    expect(new Set(sizes)).toEqual(new Set([TEAM_PADDING_BLOCK]));
  });

  it('refuses non-zero padding and padding that is not the shortest to fill the block', () => {
    const e = event({ kind: 'assign', assignee: undefined });
    const bytes = encodeTeamEvent(e);
    for (const at of [bytes.length - 1, bytes.length - 100]) {
      const dirty = bytes.slice();
      dirty[at] = 1;
      expect(() => decodeTeamEvent(dirty, slot(e))).toThrow(/padding must be zero bytes/);
    }
    // One padding byte fewer (its length prefix says so): a valid struct, but 255 bytes long.
    const padding = bytes.length - (2 + 16 + 4 + 4 + 8 + 1 + 1 + 4);
    const short = bytes.slice(0, bytes.length - 1);
    new DataView(short.buffer).setUint32(bytes.length - padding - 4, padding - 1);
    expect(() => decodeTeamEvent(short, slot(e))).toThrow(/multiple of 256/);
    // A whole block more of zero bytes: past the padding's cap of 255.
    const long = new Uint8Array([...bytes, ...new Uint8Array(TEAM_PADDING_BLOCK)]);
    new DataView(long.buffer).setUint32(bytes.length - padding - 4, padding + TEAM_PADDING_BLOCK);
    expect(() => decodeTeamEvent(long, slot(e))).toThrow(DecodeError);
  });

  it('refuses the retired format 1 (13-byte ids, unpadded plaintexts) with a DecodeError', () => {
    const e = event({ kind: 'note', text: 'an old note' });
    const padded = encodeTeamEvent(e);
    // Format 1: the same fields without the padding, under 0x00 "team" | u32 epoch | u32 counter.
    const unpadded = padded.slice(0, NOTE_OVERHEAD - 4 + new TextEncoder().encode('an old note').length);
    const v1Id = new Uint8Array([0x00, 0x74, 0x65, 0x61, 0x6d, 0, 0, 0, e.epoch, 0, 0, 0, e.counter]);
    expect(isTeamEventRecordId(v1Id)).toBe(true); // never read as a message record
    expect(() => decodeTeamEvent(unpadded, v1Id)).toThrow(/retired format 1/);
    expect(() => decodeTeamEvent(padded, v1Id)).toThrow(DecodeError);
    expect(() => decodeTeamEvent(unpadded, slot(e))).toThrow(DecodeError);
  });
});
