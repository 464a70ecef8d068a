/**
 * #11.3/#11.4: prekeys on the relay. An account whose one-time prekeys the relay has handed out
 * entirely still starts conversations (signed prekey only, the replay cache of PROTOCOL §3.3), and
 * the device replenishes early: once fewer than half its one-time prekeys are left unused, new
 * ones are made, saved, and uploaded; the signed prekey is rotated when due and its bundle re-published.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePrekeyBundle } from '../../shared/protocol/index.js';
import { type Timers, systemTimers } from '../../shared/transport/index.js';
import { asAccountId, asDeviceId, idBytesFromHex, idEquals } from '../../shared/wire/index.js';
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
      // The test drains the device's one-time prekeys from one address (relay budgets, issue #10).
      SEALDESK_PREKEY_CLAIMS_PER_HOUR: '10000',
      SEALDESK_PREKEY_CLAIMS_PER_DEVICE_PER_HOUR: '10000',
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

  it('#11.4: rotates the signed prekey when it is due and publishes the new bundle', async () => {
    const clock = { offset: 0 };
    const timers: Timers = {
      now: () => Date.now() + clock.offset,
      after: (ms, callback) => systemTimers.after(ms, callback),
    };
    const own = agentRuntime(undefined, timers);
    await newAccount(relay.origin, own, 'Rita');
    const ownAccount = (await own.runtime.status()).accountId ?? '';
    const device = asDeviceId(idBytesFromHex((await own.runtime.devices())[0]?.deviceId ?? ''));
    const published = async (): Promise<number> => (await own.store.account())?.published.bundleSignedPrekeyId ?? 0;
    await waitFor(async () => (await published()) === 1, 'the first bundle');
    own.runtime.dispose();

    // Eight days later the device starts again: the signed prekey is due (PREKEY_POLICY, 7 days).
    clock.offset = 8 * 86_400_000;
    const later = agentRuntime(own.db, timers);
    await later.runtime.status();
    await waitFor(async () => ((await later.store.account())?.published.bundleSignedPrekeyId ?? 0) === 2, 'rotated');
    const served = await relayHttp(relay.origin).directory.bundles(asAccountId(idBytesFromHex(ownAccount)));
    const bundle = decodePrekeyBundle(served.find((b) => idEquals(b.deviceId, device))?.bundle ?? new Uint8Array());
    expect(bundle.signedPrekeyId).toBe(2);
    const prekeys = await later.store.prekeys();
    expect(prekeys?.current.id).toBe(2);
    expect(prekeys?.retired.map((r) => r.id)).toEqual([1]);
    later.runtime.dispose();
  }, 60_000);
});
