/**
 * PROTOCOL §9.8: the team-event plaintext and its record-id namespace. Round trips; every rule
 * refused with a DecodeError (empty or oversized note, snooze without time, time without snooze,
 * unknown kind or status, trailing bytes, another slot); random bytes only ever give DecodeError.
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
    expect(id).toHaveLength(13);
    expect(isTeamEventRecordId(id)).toBe(true);
    const messageRecordId = new Uint8Array([...conversation, ...new TextEncoder().encode(`${'ab'.repeat(16)}:1`)]);
    expect(isTeamEventRecordId(messageRecordId)).toBe(false);
    expect(isTeamEventRecordId(id.subarray(0, 12))).toBe(false);
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
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.uint8Array({ minLength: 13, maxLength: 13 }), (bytes, id) => {
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
