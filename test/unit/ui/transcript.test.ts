// #15.3: transcripts made on the device (ui/format/transcript.ts) and search-result highlighting
// (ui/format/highlight.ts).
import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../../shared/runtime/index.js';
import { highlightSegments } from '../../../ui/format/highlight.js';
import { transcriptFileName, transcriptJson, transcriptText } from '../../../ui/format/transcript.js';

const C = 'ab12'.repeat(8);
const AT = Date.UTC(2026, 11, 6, 9, 30);

function message(id: string, from: ChatMessage['from'], body: ChatMessage['body'], extra: Partial<ChatMessage> = {}) {
  return {
    id,
    conversationId: C,
    from,
    senderDeviceId: '00'.repeat(16),
    sentAt: AT,
    receivedAt: AT + 1,
    body,
    ...extra,
  };
}

const source = {
  conversationId: C,
  businessName: 'Corner Shop',
  exportedAt: AT + 60_000,
  messages: [
    message('v:1', 'visitor', { kind: 'text', text: 'Where is my parcel?\nOrder A-1' }),
    message('d:1', 'self', { kind: 'text', text: 'On its way' }, { agentName: 'Olga', status: 'read' }),
    message('d:2', 'agent', { kind: 'note', text: 'VIP customer' }, { agentName: 'Sam' }),
    message('v:2', 'visitor', {
      kind: 'attachment',
      attachment: { conversationId: C, messageId: 'v:2', name: 'label.png', mime: 'image/png', size: 2048 },
    }),
    message('v:3', 'visitor', { kind: 'text', text: 'late one' }, { late: true }),
    message('d:3', 'self', { kind: 'close', reason: '' }),
  ] satisfies ChatMessage[],
};

describe('#15.3: transcripts', () => {
  it('text: one line per message with UTC time and author, continuation lines indented, notes and files named', () => {
    expect(transcriptText(source)).toBe(
      [
        `Conversation with Visitor AB12 — Corner Shop`,
        `Conversation id: ${C}`,
        `Exported on this device: 2026-12-06T09:31:00.000Z (times are UTC, as each sender's clock said)`,
        '',
        '[2026-12-06T09:30:00.000Z] Visitor AB12: Where is my parcel?',
        '    Order A-1',
        '[2026-12-06T09:30:00.000Z] Olga: On its way',
        '[2026-12-06T09:30:00.000Z] Sam: [internal note] VIP customer',
        '[2026-12-06T09:30:00.000Z] Visitor AB12: [file] label.png (image/png, 2048 bytes)',
        '[2026-12-06T09:30:00.000Z] Visitor AB12 (arrived late): late one',
        '[2026-12-06T09:30:00.000Z] You: [conversation closed]',
        '',
      ].join('\n'),
    );
  });

  it('JSON: a versioned document; attachments carry no handle beyond name, type and size', () => {
    const parsed = JSON.parse(transcriptJson(source)) as {
      format: string;
      messages: { id: string; author: string; body: unknown; late?: boolean; status?: string }[];
    };
    expect(parsed.format).toBe('sealdesk-transcript/1');
    expect(parsed.messages.map((m) => m.author)).toEqual([
      'Visitor AB12',
      'Olga',
      'Sam',
      'Visitor AB12',
      'Visitor AB12',
      'You',
    ]);
    expect(parsed.messages[3]?.body).toEqual({ kind: 'attachment', name: 'label.png', mime: 'image/png', size: 2048 });
    expect(parsed.messages[4]?.late).toBe(true);
    expect(parsed.messages[1]?.status).toBe('read');
  });

  it('file names are safe everywhere', () => {
    expect(transcriptFileName(source, 'txt')).toBe('sealdesk-visitor-ab12-2026-12-06.txt');
    expect(transcriptFileName(source, 'json')).toBe('sealdesk-visitor-ab12-2026-12-06.json');
  });
});

describe('#15.3: search result highlighting', () => {
  const marked = (text: string, terms: string[]) =>
    highlightSegments(text, terms)
      .map((s) => (s.match ? `[${s.text}]` : s.text))
      .join('');

  it('marks word starts, case-insensitively, longest term first; never mid-word', () => {
    expect(marked('My Parcel and parcels', ['parcel'])).toBe('My [Parcel] and [parcel]s');
    expect(marked('reparcel', ['parcel'])).toBe('reparcel');
    expect(marked('invoice inv', ['inv', 'invoice'])).toBe('[invoice] [inv]');
  });

  it('treats terms as text, not patterns, and keeps text without terms whole', () => {
    expect(marked('a.b a+b (x)', ['a.b', '(x'])).toBe('[a.b] a+b [(x])');
    expect(highlightSegments('<b>hi</b>', [])).toEqual([{ text: '<b>hi</b>', match: false }]);
  });
});
