/** Issue #15 item 1: which conversations each inbox filter shows (All open, Mine, Unassigned, Snoozed, Resolved). */
import { describe, expect, it } from 'vitest';
import type { ConversationSummary } from '../../../shared/runtime/index.js';
import { INBOX_FILTERS, matchesFilter } from '../../../ui/stores/inbox-store.js';

const ME = 'a'.repeat(32);
const OTHER = 'b'.repeat(32);

function summary(status: ConversationSummary['status'], assignee?: string): ConversationSummary {
  return {
    conversationId: 'c'.repeat(32),
    preview: '',
    lastActivity: 0,
    unread: 0,
    status,
    closed: false,
    ...(assignee === undefined ? {} : { assignee }),
  };
}

function shownUnder(s: ConversationSummary, me: string | undefined = ME): string[] {
  return Object.values(INBOX_FILTERS).filter((f) => matchesFilter(s, f, me));
}

describe('#15.1 inbox filters', () => {
  it('puts each conversation under the filters it belongs to', () => {
    expect(shownUnder(summary('open', ME))).toEqual(['open', 'mine']);
    expect(shownUnder(summary('open', OTHER))).toEqual(['open']);
    expect(shownUnder(summary('open'))).toEqual(['open', 'unassigned']);
    expect(shownUnder(summary('snoozed', ME))).toEqual(['snoozed']);
    expect(shownUnder(summary('resolved'))).toEqual(['resolved']);
    // Before the device list is loaded, "Mine" shows nothing rather than everything unassigned.
    expect(matchesFilter(summary('open', ME), 'mine', undefined)).toBe(false);
  });
});
