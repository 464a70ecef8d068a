/**
 * PROTOCOL §9.6, message record format 2, against a real relay process: an agent device no longer
 * seals, signs, saves and sends one history record per message it shows (at 20 devices, 20 relay
 * writes per visitor message); what it showed waits 30–60 s (here 1–2 s), saved, and goes as one record
 * per conversation. A device linked later reads every message, in order. Messages still waiting
 * when the runtime stops are sealed after a restart, from the store: none is lost, not even when
 * the process dies right after the step that showed one (its waiting row is in that step's commit).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RuntimeStore, memoryStore } from '../../shared/runtime/index.js';
import type { FetchLike } from '../../shared/transport/index.js';
import { type RelayProcess, makeDataDir, startRelayProcess } from '../relay/support/relay-process.js';
import {
  type AgentHandle,
  type VisitorHandle,
  agentRuntime,
  historyPut,
  historyTexts,
  agentRuntimeOn,
  link,
  newAccount,
  visitorRuntime,
  waitFor,
} from './support/runtime-world.js';

/** PROTOCOL §9.6's sealing delay here: 1–2 s instead of the apps' 30–60 s. */
const DELAY_MS = 1_000;

/** Node's fetch, counting the history records PUT into one conversation's slots. */
function countingFetch(counted: { conversationId: string; puts: number }): FetchLike {
  return async (url, init) => {
    if (historyPut(url, init)?.recordIdHex.startsWith(counted.conversationId) === true) counted.puts++;
    return fetch(url, init);
  };
}

async function waiting(agent: AgentHandle): Promise<number> {
  return (await agent.store.archiveItems()).filter((row) => row.value.state === 'unsealed').length;
}

async function sealedAndSent(agent: AgentHandle): Promise<boolean> {
  return (await waiting(agent)) === 0 && (await agent.store.archive())?.outgoingRecords.length === 0;
}

/**
 * The store of a process that dies right after the first step that adds shown-message rows: that
 * commit lands, every later one never completes (nothing after it reaches the database).
 */
function dyingAfterShownStep(store: RuntimeStore): RuntimeStore {
  let dead = false;
  const commit: RuntimeStore['commit'] = async (step) => {
    if (dead) return new Promise<never>(() => undefined);
    const result = await store.commit(step);
    if ((step.messages ?? []).length > 0) dead = true;
    return result;
  };
  return new Proxy(store, {
    get(target, property) {
      if (property === 'commit') return commit;
      const value: unknown = Reflect.get(target, property);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        const result: unknown = Reflect.apply(value, target, args);
        return result;
      };
    },
  });
}

describe('§9.6: with the apps’ delay (30–60 s), a link still brings what the owner showed just before it', () => {
  it('the owner seals at the link, and the linked device reads the messages at its sync', async () => {
    const data = makeDataDir();
    const relay = await startRelayProcess(data.dir, { SEALDESK_MESSAGES_PER_SECOND: '5000' });
    const owner = agentRuntime();
    const pin = (await newAccount(relay.origin, owner)).fingerprint;
    const visitor = visitorRuntime(relay.origin, (await owner.runtime.status()).accountId ?? '', pin);
    await visitor.runtime.start();
    const { conversationId } = await visitor.runtime.openConversation();
    const sent = ['just before', 'the second device', 'was linked'];
    const ids: string[] = [];
    for (const text of sent) ids.push(await visitor.runtime.sendText(text));
    await waitFor(() => ids.every((id) => owner.events.of('message').some((m) => m.id === id)), 'shown');
    await waitFor(async () => (await waiting(owner)) === sent.length, 'waiting, not sealed yet');
    const second = await link(relay.origin, owner);
    await waitFor(async () => {
      await second.runtime.conversations();
      return (await historyTexts(second, conversationId)).length === sent.length;
    }, 'the three at the linked device');
    expect(await historyTexts(second, conversationId)).toEqual(sent);
    for (const r of [visitor, owner, second]) r.runtime.dispose();
    await relay.stop('SIGKILL');
    data.remove();
  }, 120_000);
});

describe('§9.6: history records carry many messages', () => {
  const data = makeDataDir();
  const counted = { conversationId: '', puts: 0 };
  let relay: RelayProcess;
  let owner: AgentHandle;
  let visitor: VisitorHandle;
  let conversationId = '';

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir, { SEALDESK_MESSAGES_PER_SECOND: '5000' });
    owner = agentRuntime(undefined, undefined, countingFetch(counted), DELAY_MS);
    const pin = (await newAccount(relay.origin, owner)).fingerprint;
    const accountId = (await owner.runtime.status()).accountId ?? '';
    visitor = visitorRuntime(relay.origin, accountId, pin);
    await visitor.runtime.start();
    conversationId = (await visitor.runtime.openConversation()).conversationId;
    counted.conversationId = conversationId;
  }, 90_000);

  afterAll(async () => {
    visitor.runtime.dispose();
    owner.runtime.dispose();
    await relay.stop('SIGKILL');
    data.remove();
  });

  it('twelve messages shown back to back go to the relay as one record or a few, and a linked device reads them all', async () => {
    const sent = Array.from({ length: 12 }, (_, i) => `message ${i + 1}`);
    const ids: string[] = [];
    for (const text of sent) ids.push(await visitor.runtime.sendText(text));
    await waitFor(() => ids.every((id) => owner.events.of('message').some((m) => m.id === id)), 'all twelve shown');
    await waitFor(() => sealedAndSent(owner), 'the waiting messages sealed and sent', 20_000);
    // One record per conversation every 1–2 s here (the test world's delay): one, a few on a slow
    // machine; before, twelve.
    expect(counted.puts).toBeGreaterThanOrEqual(1);
    expect(counted.puts).toBeLessThanOrEqual(6);

    const second = await link(relay.origin, owner);
    await waitFor(
      async () => (await historyTexts(second, conversationId)).length === sent.length,
      'the twelve at the linked device',
    );
    expect(await historyTexts(second, conversationId)).toEqual(sent);
    expect(second.events.of('alert')).toEqual([]);
    second.runtime.dispose();
  }, 120_000);

  it('messages still waiting when the runtime stops are sealed after its restart, from the store', async () => {
    const later = ['shown just before the stop', 'and this one too'];
    const ids: string[] = [];
    for (const text of later) ids.push(await visitor.runtime.sendText(text));
    await waitFor(() => ids.every((id) => owner.events.of('message').some((m) => m.id === id)), 'both shown');
    await waitFor(async () => (await waiting(owner)) === later.length, 'both saved as waiting');
    owner.runtime.dispose();
    // Stopped before its sealing ran: the messages wait in the store, nothing was sent.
    expect(await waiting(owner)).toBe(later.length);

    const restarted = agentRuntime(owner.db, undefined, fetch, DELAY_MS);
    await restarted.runtime.conversations();
    await waitFor(() => sealedAndSent(restarted), 'sealed and sent after the restart', 20_000);
    const third = await link(relay.origin, restarted);
    await waitFor(
      async () => (await historyTexts(third, conversationId)).includes(later[1] ?? ''),
      'at a device linked after',
    );
    expect((await historyTexts(third, conversationId)).slice(-2)).toEqual(later);
    expect(third.events.of('alert')).toEqual([]);
    third.runtime.dispose();
    owner = restarted;
  }, 120_000);

  it('a message whose record the relay refuses as too large (control characters grow sixfold as JSON) is dropped, not sent again forever', async () => {
    const huge = '\u0001'.repeat(32_000);
    const ids = [await visitor.runtime.sendText(huge), await visitor.runtime.sendText('after the huge one')];
    await waitFor(() => ids.every((id) => owner.events.of('message').some((m) => m.id === id)), 'both shown');
    await waitFor(() => sealedAndSent(owner), 'sealed, the refused record dropped', 20_000);
    const linked = await link(relay.origin, owner);
    await waitFor(
      async () => (await historyTexts(linked, conversationId)).includes('after the huge one'),
      'the message after it at a device linked later',
    );
    expect(await historyTexts(linked, conversationId)).not.toContain(huge);
    linked.runtime.dispose();
  }, 120_000);

  it('a process that dies right after showing a message has saved its waiting row in that step (sealed after a restart, as above)', async () => {
    owner.runtime.dispose();
    const dying = agentRuntimeOn(dyingAfterShownStep(memoryStore(owner.db)));
    await dying.runtime.conversations();
    const id = await visitor.runtime.sendText('shown, then the process died');
    await waitFor(() => dying.events.of('message').some((m) => m.id === id), 'shown by the dying process');
    dying.runtime.dispose();
    const rows = await memoryStore(owner.db).archiveItems();
    expect(rows.some((row) => row.value.state === 'unsealed' && row.value.message.id === id)).toBe(true);
  }, 60_000);
});
