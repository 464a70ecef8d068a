/**
 * Issue #11: a conversation's shown messages are rows of their own (conversation-messages.ts), not
 * an array inside the conversation record. Both runtimes, on a real relay: every shown message is
 * one row, in the order shown, saved with the step's record; a status raised (stored, delivered,
 * read) rewrites only the rows it touches; the record keeps the summary without the list. A store
 * written by the previous build (record version 1, every message inside it) is upgraded on its first
 * read, once, even with several readers at once, nothing lost or doubled, and the chat goes on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatMessage, type ConversationRecordV1, memoryStore } from '../../shared/runtime/index.js';
import type { MemoryDatabase } from '../../shared/storage/index.js';
import { asConversationId, idBytesFromHex } from '../../shared/wire/index.js';
import { type RelayProcess, makeDataDir, startRelayProcess } from '../relay/support/relay-process.js';
import { type AgentHandle, agentRuntime, newAccount, visitorRuntime, waitFor } from './support/runtime-world.js';

/** The message rows of `db` (every conversation), by seq, as the store keeps them. */
function rowsOf(db: MemoryDatabase): Map<number, unknown> {
  return new Map(db.lists.messages);
}

/** What the store holds of a conversation: its record and its messages read from the rows. */
async function stored(db: MemoryDatabase, conversationId: string) {
  const store = memoryStore(db);
  const id = asConversationId(idBytesFromHex(conversationId));
  const record = await store.conversation(id);
  const messages = (await store.messages(id)).map((r) => r.value.message);
  return { store, id, record, messages };
}

/** Rewrites a conversation as the previous build stored it: version 1, every message in the record, no rows. */
async function asPreviousBuild(
  db: MemoryDatabase,
  conversationId: string,
  visitorWrote: boolean,
): Promise<ConversationRecordV1> {
  const { store, id, record, messages } = await stored(db, conversationId);
  if (record?.version !== 2) throw new Error('expected a version-2 record');
  // Version 1 had no summary fields: a summary read them off the messages.
  const { preview, lastVisitorAt, ...rest } = record;
  expect(preview).not.toBe('');
  expect(lastVisitorAt > 0).toBe(visitorWrote);
  const old: ConversationRecordV1 = { ...rest, version: 1, messages };
  await store.commit({ conversations: [{ conversationId: id, state: old }] });
  db.lists.messages.clear();
  return old;
}

const texts = (messages: readonly ChatMessage[]): string[] =>
  messages.flatMap((m) => (m.body.kind === 'text' ? [`${m.from}:${m.body.text}:${m.status ?? ''}`] : []));

describe('#11: shown messages as rows', () => {
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

  it('one row per shown message, a status rewrites only its rows; an old store is upgraded once', async () => {
    const visitor = visitorRuntime(relay.origin, accountId, pin);
    await visitor.runtime.start();
    const { conversationId } = await visitor.runtime.openConversation();
    const sent: string[] = [];
    for (let i = 0; i < 6; i++) sent.push(await visitor.runtime.sendText(`v-${i}`));
    await waitFor(() => agent.events.of('message').length >= 6, 'the visitor messages at the agent');
    const reply = await agent.runtime.sendText(conversationId, 'a-0');
    await waitFor(() => visitor.events.of('message').some((m) => m.id === reply), 'the reply at the visitor');
    const last = sent.at(-1) ?? '';
    await waitFor(
      () => visitor.events.of('status').some((s) => s.messageId === last && s.status === 'delivered'),
      'the reply acknowledging every visitor message',
    );

    // The visitor store: the record holds no list; one row per message, in the order shown.
    const v = await stored(visitor.storage.db, conversationId);
    expect(v.record?.version).toBe(2);
    expect(v.record !== undefined && 'messages' in v.record).toBe(false);
    expect(v.record?.version === 2 ? v.record.preview : '').toBe('a-0');
    expect(texts(v.messages)).toEqual([...Array.from({ length: 6 }, (_, i) => `self:v-${i}:delivered`), 'agent:a-0:']);

    // The agent reads the third message: exactly the visitor's rows of messages 1-3 are rewritten
    // (in place: same seqs), every other row is left as it was.
    const before = rowsOf(visitor.storage.db);
    await agent.runtime.markRead(conversationId, sent[2] ?? '');
    await waitFor(
      () => visitor.events.of('status').filter((s) => s.status === 'read').length >= 3,
      'the read receipt at the visitor',
    );
    await waitFor(
      async () => texts((await stored(visitor.storage.db, conversationId)).messages)[2] === 'self:v-2:read',
      'the read status saved',
    );
    const after = rowsOf(visitor.storage.db);
    expect([...after.keys()]).toEqual([...before.keys()]);
    const rewritten = [...after.keys()].filter((seq) => after.get(seq) !== before.get(seq));
    expect(rewritten).toEqual([...before.keys()].slice(0, 3));
    const readBefore = texts((await stored(visitor.storage.db, conversationId)).messages);
    expect(readBefore.slice(0, 4)).toEqual(['self:v-0:read', 'self:v-1:read', 'self:v-2:read', 'self:v-3:delivered']);

    // The agent store likewise; its summary comes from the record alone.
    const a = await stored(agent.db, conversationId);
    expect(a.record !== undefined && 'messages' in a.record).toBe(false);
    expect(a.messages.map((m) => m.id)).toEqual([...sent, reply]);
    const historyBefore = await agent.runtime.history(conversationId);
    const summaryBefore = (await agent.runtime.conversations()).find((c) => c.conversationId === conversationId);
    expect(summaryBefore?.preview).toBe('a-0');

    // Both stores as the previous build wrote them, read by restarted runtimes.
    visitor.runtime.dispose();
    agent.runtime.dispose();
    const visitorOld = await asPreviousBuild(visitor.storage.db, conversationId, false);
    await asPreviousBuild(agent.db, conversationId, true);
    expect(texts(visitorOld.messages)).toEqual(readBefore);

    const visitorAgain = visitorRuntime(relay.origin, accountId, pin, visitor.storage.db);
    const resumed = await visitorAgain.runtime.start();
    expect(texts(resumed.conversation?.messages ?? [])).toEqual(readBefore);
    agent = agentRuntime(agent.db);
    // Three readers at once: the upgrade runs once (no row twice).
    const [summaries, history, again] = await Promise.all([
      agent.runtime.conversations(),
      agent.runtime.history(conversationId),
      agent.runtime.history(conversationId),
    ]);
    expect(history).toEqual(historyBefore);
    expect(again).toEqual(historyBefore);
    expect(summaries.find((c) => c.conversationId === conversationId)).toEqual(summaryBefore);
    for (const db of [visitor.storage.db, agent.db]) {
      const upgraded = await stored(db, conversationId);
      expect(upgraded.record?.version).toBe(2);
      expect(upgraded.messages.map((m) => m.id)).toEqual([...sent, reply]);
    }

    // The chat goes on after the upgraded rows.
    const next = await visitorAgain.runtime.sendText('v-after');
    await waitFor(() => agent.events.of('message').some((m) => m.id === next), 'the next message at the agent');
    const ids = (await stored(agent.db, conversationId)).messages.map((m) => m.id);
    expect(ids).toEqual([...sent, reply, next]);
    expect((await agent.runtime.history(conversationId)).map((m) => m.id)).toEqual(ids);
    visitorAgain.runtime.dispose();
  }, 90_000);
});
