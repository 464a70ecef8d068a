/**
 * TEST ONLY. The made-up team and conversations the scripted runtime shows (a dental clinic), so
 * screenshots of the agent app look like a day at work. Nothing here ships in a product build.
 */
import type { ChatMessage, ConversationSummary, DeviceView } from '../../../shared/runtime/index.js';

export const ACCOUNT_ID = '5ea1de5c0ffee00a11ce00b0b0000001';
export const SELF_DEVICE = 'd0000000000000000000000000000001';
const MINUTE = 60_000;

export const CONVERSATIONS = {
  booking: '3fa2c9e07d1b4a6e8c5f1d2e3a4b5c6d',
  invoice: '9b41e2d3c4f5a6b7c8d9e0f1a2b3c4d5',
  aftercare: 'c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2',
  hours: '1e2d3c4b5a69788796a5b4c3d2e1f0a9',
} as const;

export function demoDevices(selfKind: DeviceView['kind'], ownerName: string): DeviceView[] {
  const now = Date.now();
  return [
    {
      deviceId: SELF_DEVICE,
      agentId: 'a0000000000000000000000000000001',
      agentName: ownerName,
      role: 'owner',
      kind: selfKind,
      sponsor: SELF_DEVICE,
      self: true,
      lastSeen: now,
    },
    {
      deviceId: 'd0000000000000000000000000000002',
      agentId: 'a0000000000000000000000000000001',
      agentName: ownerName,
      role: 'owner',
      kind: selfKind === 'pwa' ? 'extension' : 'pwa',
      sponsor: SELF_DEVICE,
      self: false,
      lastSeen: now - 40 * MINUTE,
    },
    {
      deviceId: 'd0000000000000000000000000000003',
      agentId: 'a0000000000000000000000000000002',
      agentName: 'Ana Ribeiro',
      role: 'agent',
      kind: 'extension',
      sponsor: SELF_DEVICE,
      self: false,
      lastSeen: now - 3 * MINUTE,
    },
  ];
}

type Draft = Omit<ChatMessage, 'conversationId' | 'receivedAt' | 'id'> & { readonly minutesAgo: number };

function visitor(text: string, minutesAgo: number): Draft {
  return { from: 'visitor', senderDeviceId: 'v1', sentAt: 0, body: { kind: 'text', text }, minutesAgo };
}

function self(text: string, minutesAgo: number): Draft {
  return {
    from: 'self',
    senderDeviceId: SELF_DEVICE,
    sentAt: 0,
    body: { kind: 'text', text },
    status: 'read',
    minutesAgo,
  };
}

const DRAFTS: Readonly<Record<string, readonly Draft[]>> = {
  [CONVERSATIONS.booking]: [
    visitor('Hello! Do you have any appointments free this Thursday afternoon?', 14),
    self('Hi, thanks for writing. Thursday we have 14:30 or 16:15 with Dr Okafor. Would one of those work?', 12),
    visitor('16:15 would be perfect. It is for a check-up and a cleaning.', 9),
    {
      from: 'agent',
      senderDeviceId: 'd0000000000000000000000000000003',
      agentName: 'Ana Ribeiro',
      sentAt: 0,
      body: { kind: 'note', text: 'Patient file is under her maiden name, Duarte.' },
      minutesAgo: 8,
    },
    self('Booked: Thursday 16:15, check-up and cleaning. You will get a reminder the day before.', 6),
    visitor('Wonderful, thank you. Can I send you my new insurance card?', 2),
  ],
  [CONVERSATIONS.invoice]: [
    visitor('Hi, I think I was charged twice for my last visit on the 3rd.', 55),
    {
      from: 'agent',
      senderDeviceId: 'd0000000000000000000000000000003',
      agentName: 'Ana Ribeiro',
      sentAt: 0,
      body: { kind: 'text', text: 'I am sorry about that. Let me check with our billing team and come back to you.' },
      status: 'delivered',
      minutesAgo: 50,
    },
    visitor('Thanks. The two charges are both 85 EUR.', 31),
  ],
  [CONVERSATIONS.aftercare]: [
    visitor('Is some swelling normal two days after a wisdom tooth extraction?', 180),
    self('Some swelling is normal up to three days. Cold compresses help. If it gets worse, call us.', 170),
  ],
  [CONVERSATIONS.hours]: [visitor('Are you open on Saturday mornings?', 60 * 26)],
};

export function demoHistory(conversationId: string, now: number): ChatMessage[] {
  return (DRAFTS[conversationId] ?? []).map(({ minutesAgo, ...draft }, index) => ({
    ...draft,
    id: `${draft.senderDeviceId}:${index + 1}`,
    conversationId,
    sentAt: now - minutesAgo * MINUTE,
    receivedAt: now - minutesAgo * MINUTE,
  }));
}

export function demoSummary(conversationId: string, history: readonly ChatMessage[]): ConversationSummary {
  const last = history[history.length - 1];
  const unread = [...history].reverse().findIndex((message) => message.from === 'self');
  const preview =
    last === undefined ? '' : last.body.kind === 'text' || last.body.kind === 'note' ? last.body.text : 'Attachment';
  return {
    conversationId,
    preview,
    lastActivity: last?.sentAt ?? 0,
    unread: conversationId === CONVERSATIONS.aftercare ? 0 : unread < 0 ? history.length : Math.min(unread, 2),
    status: conversationId === CONVERSATIONS.hours ? 'resolved' : 'open',
    closed: false,
  };
}
