/**
 * PROTOCOL §9.8 in the agent runtime: what an API call may write (agent-team-events.ts checks),
 * how the team state changes a summary, and where notes sit among the messages.
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../shared/errors/index.js';
import { teamStateOf } from '../../../shared/protocol/index.js';
import type { ChatMessage, ConversationSummary } from '../../../shared/runtime/index.js';
import { noteDraft, statusDraft, withNotes, withTeamState } from '../../../shared/runtime/agent-team-events.js';
import { asConversationId } from '../../../shared/wire/index.js';

const C = 'c'.repeat(32);
const conversationId = asConversationId(new Uint8Array(16).fill(0xcc));
const author = new Uint8Array(16).fill(1);

function message(id: string, receivedAt: number, kind: 'text' | 'note' = 'text'): ChatMessage {
  return {
    id,
    conversationId: C,
    from: 'visitor',
    senderDeviceId: 'd'.repeat(32),
    sentAt: receivedAt,
    receivedAt,
    body: { kind, text: id },
  };
}

const base: ConversationSummary = {
  conversationId: C,
  preview: '',
  lastActivity: 0,
  unread: 0,
  status: 'resolved',
  closed: true,
};

describe('§9.8 team state in the runtime', () => {
  it('refuses what must not be written: an empty or oversized note, a snooze in the past, a bad id', () => {
    expect(() => noteDraft(C, '   ', 1)).toThrow(UsageError);
    expect(() => noteDraft(C, 'é'.repeat(2049), 1)).toThrow(UsageError);
    expect(() => statusDraft(C, { snoozedUntil: 100 }, 100)).toThrow(UsageError);
    expect(() => statusDraft('XYZ', 'open', 1)).toThrow(UsageError);
    expect(statusDraft(C, { snoozedUntil: 101 }, 100).body).toEqual({
      kind: 'status',
      status: 'snoozed',
      snoozedUntil: 101,
    });
  });

  it('applies status and assignee to a summary; without a status event a closed chat stays resolved', () => {
    expect(withTeamState(base, teamStateOf([]), 0, 0).status).toBe('resolved');
    const state = teamStateOf([
      { author, event: { conversationId, epoch: 1, counter: 1, at: 10, body: { kind: 'assign', assignee: author } } },
      {
        author,
        event: {
          conversationId,
          epoch: 1,
          counter: 2,
          at: 10,
          body: { kind: 'status', status: 'snoozed', snoozedUntil: 500 },
        },
      },
    ]);
    const snoozed = withTeamState(base, state, 100, 5);
    expect(snoozed).toMatchObject({ status: 'snoozed', snoozedUntil: 500, assignee: '01'.repeat(16) });
    const reopened = withTeamState(snoozed, state, 100, 11);
    expect(reopened.status).toBe('open');
    expect(reopened.snoozedUntil).toBeUndefined();
  });

  it('places notes among the messages by time', () => {
    const out = withNotes([message('a', 10), message('b', 30)], [message('n2', 40, 'note'), message('n1', 20, 'note')]);
    expect(out.map((m) => m.id)).toEqual(['a', 'n1', 'b', 'n2']);
  });
});
