/**
 * PROTOCOL §9.6 message record format 2, a malicious insider: a listed device signs what it likes,
 * so its history records must be checked like anything else. Here a linked device turned hostile
 * replaces the records its runtime writes: one carries, beside its own conversation's message, a
 * message of another conversation (planting words in a chat it names nowhere in the record id);
 * the next one is stored under the id of a message it does not start with. A device linked later
 * refuses both (`history-record-refused`, danger), shows nothing of them, and still reads the
 * owner's honest records of the same messages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromHex } from '../../shared/crypto/index.js';
import { sealHistoryRecord } from '../../shared/protocol/index.js';
import { type ChatMessage, memoryStore } from '../../shared/runtime/index.js';
import { MemoryDatabase } from '../../shared/storage/index.js';
import type { FetchLike } from '../../shared/transport/index.js';
import { type RelayProcess, makeDataDir, startRelayProcess } from '../relay/support/relay-process.js';
import { hashSeededEnv } from '../support/hash-seeded-env.js';
import {
  type AgentHandle,
  type VisitorHandle,
  agentRuntime,
  historyPut,
  historyTexts,
  link,
  newAccount,
  visitorRuntime,
  waitFor,
  waitForCurrentArchiveKey,
} from './support/runtime-world.js';

type Forge = (honest: ChatMessage) => readonly { readonly message: ChatMessage }[];

describe('§9.6: history records an insider device forges are refused', () => {
  const data = makeDataDir();
  let relay: RelayProcess;
  let owner: AgentHandle;
  const visitors: VisitorHandle[] = [];
  let pin = '';
  let accountId = '';

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir, { SEALDESK_MESSAGES_PER_SECOND: '5000' });
    owner = agentRuntime();
    pin = (await newAccount(relay.origin, owner)).fingerprint;
    accountId = (await owner.runtime.status()).accountId ?? '';
  }, 90_000);

  /** A visitor's conversation, opened after the insider was linked (so the insider is one of its devices). */
  async function conversation(): Promise<{ visitor: VisitorHandle; conversationId: string }> {
    const visitor = visitorRuntime(relay.origin, accountId, pin);
    visitors.push(visitor);
    await visitor.runtime.start();
    return { visitor, conversationId: (await visitor.runtime.openConversation()).conversationId };
  }

  afterAll(async () => {
    for (const r of [...visitors, owner]) r.runtime.dispose();
    await relay.stop('SIGKILL');
    data.remove();
  });

  it('a message of another conversation in the record, and a record under another first message, are refused', async () => {
    // The conversations' ids, known once they are opened (after the insider is linked).
    const ids = { a: '', b: '' };
    // The insider's forgeries, one per record its runtime writes, in order, made from the message
    // the honest record starts with (so the record id still names it).
    const forgeries: Forge[] = [
      (honest) => [
        { message: honest },
        {
          message: {
            ...honest,
            id: `${'ee'.repeat(16)}:1`,
            conversationId: ids.b,
            body: { kind: 'text', text: 'planted in the other chat' },
          },
        },
      ],
      (honest) => [
        { message: { ...honest, id: `${'ee'.repeat(16)}:2`, body: { kind: 'text', text: 'first under another id' } } },
        { message: honest },
      ],
    ];
    const sent: number[] = [];
    const insiderDb = new MemoryDatabase();
    const held: { insider?: AgentHandle } = {};
    const forging: FetchLike = async (url, init) => {
      const recordIdHex = historyPut(url, init)?.recordIdHex;
      const forge = forgeries[sent.length];
      if (recordIdHex === undefined || ids.a === '' || !recordIdHex.startsWith(ids.a) || forge === undefined)
        return fetch(url, init);
      const store = memoryStore(insiderDb);
      const keyring = (await store.archive())?.keyring;
      const keys = await store.deviceKeys();
      if (keyring === undefined || keys === undefined) throw new Error('the insider has no keyring');
      // The message the runtime's record starts with (its id is the record id's tail), as shown.
      const firstId = new TextDecoder().decode(fromHex(recordIdHex.slice(32)));
      const honest = held.insider?.events.of('message').find((m) => m.id === firstId);
      if (honest === undefined) throw new Error('the insider did not show the record’s message');
      const bytes = new TextEncoder().encode(JSON.stringify({ conversationId: ids.a, messages: forge(honest) }));
      const env = hashSeededEnv(`forge ${sent.length}`);
      const { record } = await sealHistoryRecord(keyring, env, keys, fromHex(recordIdHex), bytes);
      const answer = await fetch(url, { ...init, body: new Uint8Array(record) });
      sent.push(answer.status);
      return answer;
    };
    const insider = await link(
      relay.origin,
      owner,
      undefined,
      undefined,
      agentRuntime(insiderDb, undefined, forging, 1_000),
    );
    held.insider = insider;
    await waitForCurrentArchiveKey([owner, insider]);
    const a = await conversation();
    const b = await conversation();
    ids.a = a.conversationId;
    ids.b = b.conversationId;
    const visitorA = a.visitor;
    const [convA, convB] = [ids.a, ids.b];

    // One message, then its record (sealed 1–2 s later), then the next: a record each.
    for (const [i, words] of ['first words in A', 'second words in A'].entries()) {
      await visitorA.runtime.sendText(words);
      await waitFor(() => sent.length === i + 1, 'the insider’s forged record stored', 20_000);
    }
    expect(sent).toEqual([201, 201]);
    insider.runtime.dispose();

    const watcher = await link(relay.origin, owner);
    await waitFor(
      async () => {
        await watcher.runtime.conversations();
        return watcher.events.of('alert').filter((a) => a.kind === 'history-record-refused').length >= 2;
      },
      'both forged records refused',
      30_000,
    );
    const refused = watcher.events.of('alert').filter((a) => a.kind === 'history-record-refused');
    expect(refused).toHaveLength(2);
    expect(refused.every((a) => a.severity === 'danger')).toBe(true);
    // Nothing of them is shown: no planted words in B, no message under the forged id in A...
    expect(await historyTexts(watcher, convB)).toEqual([]);
    expect(await historyTexts(watcher, convA)).not.toContain('first under another id');
    // ...and the owner's honest records of A's messages are read.
    await waitFor(async () => {
      await watcher.runtime.conversations();
      return (await historyTexts(watcher, convA)).length === 2;
    }, 'the owner’s records of A');
    expect(await historyTexts(watcher, convA)).toEqual(['first words in A', 'second words in A']);
    watcher.runtime.dispose();
  }, 180_000);
});
