/**
 * #11.3: the two runtimes against a real relay process: an account created by the agent runtime
 * (OPAQUE, account key, first device, signed list, prekeys), a visitor verified against the pin,
 * first contact, messages both ways, typing, receipts, an attachment, a page reload resumed from
 * storage, a lost storage starting afresh, close.
 */
import { secureRandom } from '../../shared/crypto/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RelayProcess, makeDataDir, startRelayProcess } from '../relay/support/relay-process.js';
import { type AgentHandle, agentRuntime, newAccount, visitorRuntime, waitFor } from './support/runtime-world.js';

describe('#11.3: visitor and agent runtimes through a real relay', () => {
  const data = makeDataDir();
  let relay: RelayProcess;
  let agent: AgentHandle;
  let accountId = '';
  let pin = '';

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir, { SEALDESK_MESSAGES_PER_SECOND: '5000' });
    agent = agentRuntime();
    const created = await newAccount(relay.origin, agent);
    pin = created.fingerprint;
    accountId = (await agent.runtime.status()).accountId ?? '';
    await agent.runtime.publishWidgetConfig({
      businessName: 'Corner Shop',
      greeting: 'Hello! How can we help?',
      colour: '#225588',
      position: 'bottom-right',
      language: 'en',
      expectedReplyMinutes: 5,
      businessHours: [],
      timeZone: 'Europe/Berlin',
    });
  }, 60_000);

  afterAll(async () => {
    agent.runtime.dispose();
    await relay.stop('SIGKILL');
    data.remove();
  });

  it('#11.3: first contact, both ways, typing, receipts, attachment, reload, close', async () => {
    const visitor = visitorRuntime(relay.origin, accountId, pin);
    const ready = await visitor.runtime.start();
    expect(ready.business).toEqual({ name: 'Corner Shop', fingerprint: pin });
    expect(ready.config.greeting).toBe('Hello! How can we help?');
    expect(ready.conversation).toBeUndefined();
    // Nothing is stored before the visitor opens a conversation.
    expect(visitor.storage.db.records.size).toBe(0);

    const opened = await visitor.runtime.openConversation({ question: 'Your order number?', answer: 'A-1' });
    const conversationId = opened.conversationId;
    const hello = await visitor.runtime.sendText('hello, is my parcel on its way?');
    await waitFor(() => agent.events.of('message').length === 2, 'the agent gets both visitor messages');
    const got = agent.events.of('message');
    expect(got.map((m) => (m.body.kind === 'text' ? m.body.text : m.body.kind))).toEqual([
      'Your order number?\nA-1',
      'hello, is my parcel on its way?',
    ]);
    expect(got.every((m) => m.from === 'visitor' && m.conversationId === conversationId)).toBe(true);
    await waitFor(
      () => visitor.events.of('status').some((s) => s.messageId === hello && s.status === 'stored'),
      'stored',
    );

    const conversations = await agent.runtime.conversations();
    expect(conversations.map((c) => c.conversationId)).toEqual([conversationId]);
    expect(conversations[0]?.preview).toBe('hello, is my parcel on its way?');

    await agent.runtime.setTyping(conversationId, true);
    const reply = await agent.runtime.sendText(conversationId, 'Yes, it left this morning.');
    await waitFor(() => visitor.events.of('message').some((m) => m.from === 'agent'), 'the reply');
    const shown = visitor.events.of('message').filter((m) => m.from === 'agent');
    expect(shown).toHaveLength(1);
    expect(shown[0]).toMatchObject({
      id: reply,
      agentName: 'Olga',
      body: { kind: 'text', text: 'Yes, it left this morning.' },
    });
    expect(visitor.events.of('typing')).toEqual([{ agentName: 'Olga', active: true }]);
    // The reply acknowledged the visitor's messages (PROTOCOL §7.7).
    expect(visitor.events.of('status').some((s) => s.messageId === hello && s.status === 'delivered')).toBe(true);

    await visitor.runtime.markRead(reply);
    await waitFor(
      () => agent.events.of('status').some((s) => s.messageId === reply && s.status === 'read'),
      'the read receipt',
    );

    const bytes = secureRandom(150_000);
    const sentFile = await visitor.runtime.sendAttachment(
      new Blob([new Uint8Array(bytes)], { type: 'image/png' }),
      'label.png',
    );
    await waitFor(() => agent.events.of('message').some((m) => m.id === sentFile), 'the attachment');
    const fileMessage = agent.events.of('message').find((m) => m.id === sentFile);
    if (fileMessage?.body.kind !== 'attachment') throw new Error('not an attachment');
    expect(fileMessage.body.attachment).toMatchObject({ name: 'label.png', mime: 'image/png', size: 150_000 });
    const opened2 = await agent.runtime.openAttachment(fileMessage.body.attachment);
    expect(new Uint8Array(await opened2.arrayBuffer())).toEqual(bytes);

    // A page reload: a new runtime on the same storage resumes the conversation.
    visitor.runtime.dispose();
    const reloaded = visitorRuntime(relay.origin, accountId, pin, visitor.storage.db);
    const resumed = await reloaded.runtime.start();
    expect(resumed.conversation?.conversationId).toBe(conversationId);
    expect(resumed.conversation?.messages.map((m) => m.id)).toContain(reply);
    const after = await reloaded.runtime.sendText('thanks, after a reload');
    await waitFor(() => agent.events.of('message').some((m) => m.id === after), 'the message after the reload');
    const second = await agent.runtime.sendText(conversationId, 'You are welcome.');
    await waitFor(() => reloaded.events.of('message').some((m) => m.id === second), 'the reply after the reload');
    // Nothing shown twice on either side.
    const agentIds = agent.events.of('message').map((m) => m.id);
    expect(new Set(agentIds).size).toBe(agentIds.length);

    await reloaded.runtime.close('all sorted');
    await waitFor(() => agent.events.of('message').some((m) => m.body.kind === 'close'), 'the close');
    expect((await agent.runtime.conversations())[0]?.closed).toBe(true);
    expect(reloaded.events.of('closed')).toEqual([{ by: 'self' }]);
    expect(visitor.events.of('alert')).toEqual([]);
    expect(agent.events.of('alert')).toEqual([]);
    // A new conversation after the close is the one a reload resumes.
    const again = await reloaded.runtime.openConversation();
    expect(again.conversationId).not.toBe(conversationId);
    await reloaded.runtime.sendText('a new question');
    reloaded.runtime.dispose();
    const third = visitorRuntime(relay.origin, accountId, pin, visitor.storage.db);
    expect((await third.runtime.start()).conversation?.conversationId).toBe(again.conversationId);
    third.runtime.dispose();

    // A lost storage: the same page with an empty database starts without a conversation.
    const fresh = visitorRuntime(relay.origin, accountId, pin);
    expect((await fresh.runtime.start()).conversation).toBeUndefined();
    fresh.runtime.dispose();
  }, 60_000);

  it('#11.3: a wrong pin refuses to start', async () => {
    const other = agentRuntime();
    const created = await newAccount(relay.origin, other, 'Mallory');
    other.runtime.dispose();
    const visitor = visitorRuntime(relay.origin, accountId, created.fingerprint);
    await expect(visitor.runtime.start()).rejects.toMatchObject({ name: 'PinMismatchError' });
    expect(visitor.events.of('alert').map((a) => a.kind)).toEqual(['pin-mismatch']);

    // A browser that verified the business before and keeps a conversation: the page's pin still counts.
    const earlier = visitorRuntime(relay.origin, accountId, pin);
    await earlier.runtime.start();
    await earlier.runtime.openConversation();
    earlier.runtime.dispose();
    const swapped = visitorRuntime(relay.origin, accountId, created.fingerprint, earlier.storage.db);
    await expect(swapped.runtime.start()).rejects.toMatchObject({ name: 'PinMismatchError' });
    const same = visitorRuntime(relay.origin, accountId, pin, earlier.storage.db);
    expect((await same.runtime.start()).conversation).toBeDefined();
    same.runtime.dispose();
  }, 60_000);
});
