/**
 * #11.3/#11.4: prekeys on the relay. An account whose one-time prekeys the relay has handed out
 * entirely still starts conversations (signed prekey only, the replay cache of PROTOCOL §3.3), and
 * the device replenishes early: once fewer than half its one-time prekeys are left unused, new
 * ones are made, saved, and uploaded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asAccountId, asDeviceId, idBytesFromHex } from '../../shared/wire/index.js';
import { type RelayProcess, makeDataDir, startRelayProcess } from '../relay/support/relay-process.js';
import { relayHttp } from '../relay/support/relay-api.js';
import { type AgentHandle, agentRuntime, newAccount, visitorRuntime, waitFor } from './support/runtime-world.js';

describe('#11.4: one-time prekeys', () => {
  const data = makeDataDir();
  let relay: RelayProcess;
  let agent: AgentHandle;
  let accountId = '';
  let pin = '';

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir, {
      SEALDESK_MESSAGES_PER_SECOND: '5000',
      SEALDESK_CONVERSATIONS_PER_HOUR: '1000',
    });
    agent = agentRuntime();
    pin = (await newAccount(relay.origin, agent)).fingerprint;
    accountId = (await agent.runtime.status()).accountId ?? '';
  }, 60_000);

  afterAll(async () => {
    agent.runtime.dispose();
    await relay.stop('SIGKILL');
    data.remove();
  });

  async function conversationWith(text: string): Promise<void> {
    const visitor = visitorRuntime(relay.origin, accountId, pin);
    await visitor.runtime.start();
    const { conversationId } = await visitor.runtime.openConversation();
    await visitor.runtime.sendText(text);
    await waitFor(() => agent.events.of('message').some((m) => m.conversationId === conversationId), text);
    const reply = await agent.runtime.sendText(conversationId, `re: ${text}`);
    await waitFor(() => visitor.events.of('message').some((m) => m.id === reply), `the reply to ${text}`);
    visitor.runtime.dispose();
  }

  it('#11.4: replenishes below half, and works with the relay out of one-time prekeys', async () => {
    const device = (await agent.runtime.devices())[0]?.deviceId ?? '';
    const account = asAccountId(idBytesFromHex(accountId));
    const deviceId = asDeviceId(idBytesFromHex(device));
    const published = async (): Promise<number> => (await agent.store.account())?.published.uploadedThrough ?? 0;
    await waitFor(async () => (await published()) === 100, 'the first 100 one-time prekeys uploaded');

    // 51 first contacts, each with a one-time prekey: the device falls below 50 unused and tops up.
    for (let i = 0; i < 51; i++) await conversationWith(`contact ${i}`);
    await waitFor(async () => (await published()) > 100, 'new one-time prekeys uploaded', 20_000);
    expect((await agent.store.prekeys())?.oneTime.length).toBe(100);

    // The relay hands out every one it has left; the next visitor gets a bundle without one.
    const http = relayHttp(relay.origin);
    let drained = 0;
    while ((await http.directory.claimOneTimePrekey(account, deviceId)) !== undefined) drained += 1;
    expect(drained).toBeGreaterThan(0);
    await conversationWith('no one-time prekey left');
    expect(agent.events.of('alert')).toEqual([]);
  }, 180_000);
});
