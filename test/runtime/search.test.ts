/**
 * #15.3: search over the device's own decrypted history (shared/runtime/agent-search.ts), on an agent
 * runtime that received its messages through a real relay: prefix, typo-tolerant, every word must
 * match, own and visitor messages; the index is cached in the device's store, survives a restart,
 * catches up messages shown after its last save, and is rebuilt when the cache is damaged; a device
 * linked later finds the words of conversations it only has from the inbox archive (#15 done-when).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RelayProcess, makeDataDir, startRelayProcess } from '../relay/support/relay-process.js';
import type { FetchLike } from '../../shared/transport/index.js';
import { type AgentHandle, agentRuntime, link, newAccount, visitorRuntime, waitFor } from './support/runtime-world.js';

const SETTING = 'search-index';

describe('#15.3: searching this device history', () => {
  const data = makeDataDir();
  let relay: RelayProcess;
  let agent: AgentHandle;
  let accountId = '';
  let pin = '';
  let conversationId = '';

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir, { SEALDESK_MESSAGES_PER_SECOND: '5000' });
    agent = agentRuntime();
    pin = (await newAccount(relay.origin, agent)).fingerprint;
    accountId = (await agent.runtime.status()).accountId ?? '';
    const visitor = visitorRuntime(relay.origin, accountId, pin);
    await visitor.runtime.start();
    conversationId = (await visitor.runtime.openConversation()).conversationId;
    await visitor.runtime.sendText('My parcel never arrived in Lisbon');
    await visitor.runtime.sendText('The invoice number is INV-2291');
    await waitFor(() => agent.events.of('message').length === 2, 'both visitor messages');
    await agent.runtime.sendText(conversationId, 'Sorry about the parcel, I will refund the shipping');
    visitor.runtime.dispose();
  }, 60_000);

  afterAll(async () => {
    agent.runtime.dispose();
    await relay.stop('SIGKILL');
    data.remove();
  });

  const texts = async (runtime: AgentHandle, query: string): Promise<string[]> =>
    (await runtime.runtime.searchMessages(query)).map((hit) => hit.text);

  it('#15.3: finds words, prefixes and typos; every word must match; empty finds nothing', async () => {
    const parcel = await agent.runtime.searchMessages('parcel');
    expect(parcel.map((h) => h.text).sort()).toEqual([
      'My parcel never arrived in Lisbon',
      'Sorry about the parcel, I will refund the shipping',
    ]);
    expect(parcel.every((h) => h.conversationId === conversationId)).toBe(true);
    expect(parcel.map((h) => h.from).sort()).toEqual(['self', 'visitor']);
    expect(await texts(agent, 'lisb')).toEqual(['My parcel never arrived in Lisbon']);
    expect(await texts(agent, 'invoyce')).toEqual(['The invoice number is INV-2291']);
    expect(await texts(agent, 'parcel refund')).toEqual(['Sorry about the parcel, I will refund the shipping']);
    expect(await texts(agent, 'parcel zebra')).toEqual([]);
    expect(await texts(agent, '   ')).toEqual([]);
  });

  it('#15.3: the index is kept in the device store and used after a restart', async () => {
    expect(typeof (await agent.store.setting(SETTING))).toBe('string');
    const restarted = agentRuntime(agent.db);
    try {
      expect(await texts(restarted, 'lisbon')).toEqual(['My parcel never arrived in Lisbon']);
    } finally {
      restarted.runtime.dispose();
    }
  });

  it('#15.3: a message shown after the last save is found after a restart (catch-up from the records)', async () => {
    await agent.runtime.sendText(conversationId, 'Your tracking code is QX-7781');
    // No search ran since, so the cached index lacks it; a new runtime on the same storage must find it.
    const restarted = agentRuntime(agent.db);
    try {
      expect(await texts(restarted, 'tracking')).toEqual(['Your tracking code is QX-7781']);
    } finally {
      restarted.runtime.dispose();
    }
  });

  it('#15.3: a damaged or lost index is rebuilt from the records', async () => {
    for (const damaged of ['{not json', JSON.stringify({ format: 999, index: '{}' }), undefined]) {
      await agent.store.commit({ settings: [{ name: SETTING, value: damaged }] });
      const restarted = agentRuntime(agent.db);
      try {
        expect(await texts(restarted, 'invoice')).toEqual(['The invoice number is INV-2291']);
        const saved = await restarted.store.setting(SETTING);
        expect(typeof saved === 'string' && saved.includes('"format":1')).toBe(true);
      } finally {
        restarted.runtime.dispose();
      }
    }
  });

  it('#15.3: a device linked later finds words of an earlier conversation, read from the inbox archive after its first search', async () => {
    // The archive's records are held back until the new device has searched once, so its index is
    // loaded (empty) before the history arrives: what the archive brings must reach the index.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const holding: FetchLike = async (url, init) => {
      if (new URL(url).pathname.includes('/history/after/')) await held;
      return fetch(url, init);
    };
    const linked = await link(relay.origin, agent, undefined, undefined, agentRuntime(undefined, undefined, holding));
    try {
      expect(await texts(linked, 'Lisbon')).toEqual([]);
      release();
      await waitFor(
        async () => (await texts(linked, 'Lisbon')).length > 0,
        'the archived message found on the linked device',
        30_000,
      );
      expect(await texts(linked, 'Lisbon')).toEqual(['My parcel never arrived in Lisbon']);
      expect(await texts(linked, 'refund shipping')).toEqual(['Sorry about the parcel, I will refund the shipping']);
    } finally {
      linked.runtime.dispose();
    }
  }, 60_000);
});
