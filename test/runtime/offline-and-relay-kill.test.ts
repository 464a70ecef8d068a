/**
 * #11.4: an agent device offline while the visitor writes (stored by the relay, delivered when it
 * connects again, from its stored state), and the relay SIGKILLed mid-stream and restarted on the
 * same data (nothing confirmed is lost, nothing is shown twice, order kept).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RelayProcess, makeDataDir, startRelayProcess } from '../relay/support/relay-process.js';
import { type AgentHandle, agentRuntime, newAccount, visitorRuntime, waitFor } from './support/runtime-world.js';

function texts(messages: readonly { readonly body: { readonly kind: string; readonly text?: string } }[]): string[] {
  return messages.flatMap((m) => (m.body.kind === 'text' && m.body.text !== undefined ? [m.body.text] : []));
}

describe('#11.4: offline devices and a killed relay', () => {
  const data = makeDataDir();
  let relay: RelayProcess;
  let agent: AgentHandle;
  let accountId = '';
  let pin = '';

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir, { SEALDESK_MESSAGES_PER_SECOND: '5000' });
    agent = agentRuntime();
    pin = (await newAccount(relay.origin, agent)).fingerprint;
    accountId = (await agent.runtime.status()).accountId ?? '';
  }, 60_000);

  afterAll(async () => {
    agent.runtime.dispose();
    await relay.stop('SIGKILL');
    data.remove();
  });

  it('#11.4: an agent device offline while the visitor writes gets every message when it connects', async () => {
    const visitor = visitorRuntime(relay.origin, accountId, pin);
    await visitor.runtime.start();
    await visitor.runtime.openConversation();
    await visitor.runtime.sendText('first');
    await waitFor(() => texts(agent.events.of('message')).includes('first'), 'the first message');

    agent.runtime.dispose(); // the device goes offline (its store stays)
    const written = Array.from({ length: 12 }, (_, i) => `while you were away ${i}`);
    const ids: string[] = [];
    for (const text of written) ids.push(await visitor.runtime.sendText(text));
    await waitFor(
      () => ids.every((id) => visitor.events.of('status').some((s) => s.messageId === id && s.status === 'stored')),
      'every message stored by the relay',
    );

    const back = agentRuntime(agent.db);
    await back.runtime.status(); // loads the stored device and connects
    await waitFor(() => texts(back.events.of('message')).length === written.length, 'the queued messages');
    expect(texts(back.events.of('message'))).toEqual(written);
    const [summary] = await back.runtime.conversations();
    const history = texts(await back.runtime.history(summary?.conversationId ?? ''));
    expect(history).toEqual(['first', ...written]);
    expect(back.events.of('alert')).toEqual([]);
    visitor.runtime.dispose();
    agent = back;
  }, 60_000);

  it('#11.4: the relay SIGKILLed mid-stream and restarted loses nothing confirmed and shows nothing twice', async () => {
    const port = Number(new URL(relay.origin).port);
    const visitor = visitorRuntime(relay.origin, accountId, pin);
    await visitor.runtime.start();
    const { conversationId } = await visitor.runtime.openConversation();
    const before = agent.events.of('message').length;
    const written = Array.from({ length: 40 }, (_, i) => `stream ${i}`);
    const sending = (async () => {
      for (const [i, text] of written.entries()) {
        await visitor.runtime.sendText(text);
        if (i % 4 === 0) await new Promise((r) => setTimeout(r, 15));
      }
    })();
    await waitFor(() => agent.events.of('message').length - before >= 8, 'part of the stream');
    await relay.stop('SIGKILL');
    const confirmed = visitor.events
      .of('status')
      .filter((s) => s.status === 'stored')
      .map((s) => s.messageId);
    relay = await startRelayProcess(data.dir, { SEALDESK_MESSAGES_PER_SECOND: '5000' }, port);
    await sending;
    await waitFor(
      () =>
        texts(agent.events.of('message').filter((m) => m.conversationId === conversationId)).length === written.length,
      'the whole stream after the restart',
      30_000,
    );
    const shown = agent.events.of('message').filter((m) => m.conversationId === conversationId);
    expect(texts(shown)).toEqual(written);
    for (const id of confirmed) expect(shown.some((m) => m.id === id)).toBe(true);
    expect(new Set(shown.map((m) => m.id)).size).toBe(shown.length);
    // Sends the relay stored but could not confirm before it died are sent again (the outbox,
    // PROTOCOL §16.3) and arrive twice: the receiver drops the copy and says so (info), nothing else.
    expect(agent.events.of('alert').filter((a) => a.kind !== 'replay')).toEqual([]);
    expect(agent.events.of('alert').every((a) => a.severity === 'info')).toBe(true);
    visitor.runtime.dispose();
  }, 90_000);
});
