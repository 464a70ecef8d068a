/**
 * PROTOCOL §16.2 (`send` is idempotent): a `stored` frame lost for real. A proxy in front of a
 * real relay process passes the visitor's send through, drops the relay's `stored` for it (the
 * relay committed the envelope) and cuts the connection. The visitor's outbox sends the same
 * envelope again after reconnecting, as every client does until a `stored` arrives. The relay
 * must answer the resend with the first cursor and neither store nor deliver it again: the agent
 * shows the message once and raises no `replay` alert (an honest network blip must not look like
 * a hostile relay replaying), and the relay's queue holds it once.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostileProxy } from '../support/hostile-proxy.js';
import { type RelayProcess, makeDataDir, startRelayProcess } from '../relay/support/relay-process.js';
import { type AgentHandle, agentRuntime, newAccount, visitorRuntime, waitFor } from './support/runtime-world.js';

function texts(messages: readonly { readonly body: { readonly kind: string; readonly text?: string } }[]): string[] {
  return messages.flatMap((m) => (m.body.kind === 'text' && m.body.text !== undefined ? [m.body.text] : []));
}

/** The envelopes the relay's database holds now (read-only, beside the running relay: WAL). */
function queuedEnvelopes(dataDir: string): Buffer[] {
  const db = new Database(join(dataDir, 'relay.sqlite'), { readonly: true });
  try {
    return db
      .prepare('SELECT envelope FROM messages ORDER BY seq')
      .all()
      .flatMap((row) =>
        typeof row === 'object' && row !== null && 'envelope' in row && Buffer.isBuffer(row.envelope)
          ? [row.envelope]
          : [],
      );
  } finally {
    db.close();
  }
}

describe('§16.2: a lost `stored` and the resend it causes', () => {
  const data = makeDataDir();
  let relay: RelayProcess;
  let proxy: HostileProxy;
  let agent: AgentHandle;
  let accountId = '';
  let pin = '';

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir, { SEALDESK_MESSAGES_PER_SECOND: '5000' });
    proxy = await HostileProxy.start(relay.origin);
    agent = agentRuntime();
    pin = (await newAccount(relay.origin, agent)).fingerprint;
    accountId = (await agent.runtime.status()).accountId ?? '';
  }, 60_000);

  afterAll(async () => {
    agent.runtime.dispose();
    await proxy.stop();
    await relay.stop('SIGKILL');
    data.remove();
  });

  it('§16.2: a resend after a lost stored frame is stored once, shown once, and raises no replay alert', async () => {
    // The visitor talks to the relay through the proxy; the agent directly.
    const visitor = visitorRuntime(proxy.origin, accountId, pin);
    await visitor.runtime.start();
    await visitor.runtime.openConversation();
    await visitor.runtime.sendText('hello');
    await waitFor(() => texts(agent.events.of('message')).includes('hello'), 'the first message');

    // The agent goes offline, so the relay's queue keeps what the visitor sends next.
    agent.runtime.dispose();
    const before = queuedEnvelopes(data.dir).length;

    // The next send's `stored` is dropped after the relay committed it, and the connection cut.
    const sends: Uint8Array[] = [];
    let dropped = 0;
    proxy.clientFrameHook = (frame) => {
      if (frame.type === 'send') sends.push(frame.envelope);
      return undefined;
    };
    proxy.relayFrameHook = (frame, socket) => {
      if (frame.type !== 'stored' || dropped > 0) return undefined;
      dropped += 1;
      setImmediate(() => {
        socket.cut();
      });
      return [];
    };
    const id = await visitor.runtime.sendText('only once');
    await waitFor(
      () => visitor.events.of('status').some((s) => s.messageId === id && s.status === 'stored'),
      'the resend answered `stored`',
      20_000,
    );
    proxy.honest();
    // The frame was lost for real, and the outbox sent the same bytes again.
    expect(dropped).toBe(1);
    const [first] = sends;
    if (first === undefined) throw new Error('no send passed the proxy');
    expect(sends.filter((e) => Buffer.from(e).equals(Buffer.from(first))).length).toBe(2);

    // What the relay's queue holds now (checked last: the agent's ack deletes it).
    const queued = queuedEnvelopes(data.dir);

    // The agent comes back: the message once, no alert at all.
    const back = agentRuntime(agent.db);
    await back.runtime.status();
    await waitFor(() => texts(back.events.of('message')).includes('only once'), 'the message on the agent');
    // A duplicate would be delivered in the same backlog, right after it: give it time to land.
    const later = await visitor.runtime.sendText('after it');
    await waitFor(() => texts(back.events.of('message')).includes('after it'), 'the next message');
    expect(back.events.of('message').some((m) => m.id === later)).toBe(true);
    expect(texts(back.events.of('message'))).toEqual(['only once', 'after it']);
    expect(back.events.of('alert')).toEqual([]);
    const [summary] = await back.runtime.conversations();
    expect(texts(await back.runtime.history(summary?.conversationId ?? ''))).toEqual([
      'hello',
      'only once',
      'after it',
    ]);
    // The relay's queue held the envelope once.
    expect(queued.length).toBe(before + 1);
    expect(queued.filter((e) => e.equals(Buffer.from(first))).length).toBe(1);
    visitor.runtime.dispose();
    agent = back;
  }, 60_000);
});
