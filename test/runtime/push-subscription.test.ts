/**
 * Web Push through the agent runtime and a real relay process (issue #15 item 4; PROTOCOL §16.9):
 * the runtime fetches the relay's VAPID key, registers the subscription a browser would give for
 * this device, the relay wakes it through a local RFC 8030 push service with the content-free
 * payload, and turning push off deletes the subscription so nothing more is sent. An endpoint the
 * relay must not POST to is refused in words.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadRequestError } from '../../shared/transport/index.js';
import { type LocalPushService, startPushService } from '../support/push-service.js';
import { type RelayProcess, makeDataDir, startRelayProcess } from '../relay/support/relay-process.js';
import { type AgentHandle, agentRuntime, newAccount, visitorRuntime, waitFor } from './support/runtime-world.js';

describe('#15.4: push subscription of an agent device, through the runtime', () => {
  const data = makeDataDir();
  let relay: RelayProcess;
  let pushService: LocalPushService;
  let agent: AgentHandle;

  beforeAll(async () => {
    pushService = await startPushService();
    relay = await startRelayProcess(data.dir, {
      SEALDESK_PUSH_LOOPBACK_HTTP: '1',
      SEALDESK_PUSH_INTERVAL_SECONDS: '0',
      SEALDESK_VAPID_SUBJECT: 'mailto:ops@relay.example',
    });
    agent = agentRuntime();
    await newAccount(relay.origin, agent);
  }, 60_000);

  afterAll(async () => {
    agent.runtime.dispose();
    await relay.stop('SIGKILL');
    await pushService.close();
    data.remove();
  });

  it('registers, is woken with the constant payload while offline, and stops after removal', async () => {
    const key = await agent.runtime.pushPublicKey();
    expect(key?.length).toBe(65);
    expect(key?.[0]).toBe(0x04);
    const subscription = pushService.subscribe();
    await agent.runtime.registerPushSubscription({
      endpoint: subscription.endpoint,
      p256dh: subscription.keys.publicKey,
      auth: subscription.keys.auth,
    });
    expect(await agent.runtime.pushSubscriptionEndpoint()).toBe(subscription.endpoint);

    // The agent device goes offline; a visitor writes; the relay wakes the device.
    const status = await agent.runtime.status();
    const fingerprint = await agent.runtime.fingerprint();
    agent.runtime.dispose();
    const visitor = visitorRuntime(relay.origin, status.accountId ?? '', fingerprint);
    await visitor.runtime.start();
    await visitor.runtime.openConversation();
    await visitor.runtime.sendText('the visitor’s secret order number 4411');
    await pushService.until(1);
    const push = pushService.received.find((r) => r.subscription === subscription.id);
    expect(push?.problem).toBeUndefined();
    expect(new TextDecoder().decode(push?.plaintext)).toBe('{"t":"wake"}');

    // A runtime on the same store turns push off: the relay forgets the endpoint and sends nothing more.
    const again = agentRuntime(agent.db);
    try {
      expect(await again.runtime.removePushSubscription()).toBe(true);
      expect(await again.runtime.pushSubscriptionEndpoint()).toBeUndefined();
      expect(await again.runtime.removePushSubscription()).toBe(false);
      const before = pushService.received.length;
      again.runtime.dispose();
      await visitor.runtime.sendText('second');
      // A later device's push is the witness that the relay has sent what it would for the first.
      const witness = agentRuntime();
      await newAccount(relay.origin, witness);
      const other = pushService.subscribe();
      await witness.runtime.registerPushSubscription({
        endpoint: other.endpoint,
        p256dh: other.keys.publicKey,
        auth: other.keys.auth,
      });
      const witnessStatus = await witness.runtime.status();
      const witnessPin = await witness.runtime.fingerprint();
      witness.runtime.dispose();
      const visitor2 = visitorRuntime(relay.origin, witnessStatus.accountId ?? '', witnessPin);
      await visitor2.runtime.start();
      await visitor2.runtime.openConversation();
      await visitor2.runtime.sendText('hello');
      await waitFor(() => pushService.received.some((r) => r.subscription === other.id), 'witness push');
      expect(pushService.received.slice(before).filter((r) => r.subscription === subscription.id)).toEqual([]);
      visitor2.runtime.dispose();
    } finally {
      again.runtime.dispose();
      visitor.runtime.dispose();
    }
  }, 60_000);

  it('refuses an endpoint the relay must not POST to, in words', async () => {
    const fresh = agentRuntime();
    try {
      await newAccount(relay.origin, fresh);
      const keys = pushService.subscribe().keys;
      const attempt = fresh.runtime.registerPushSubscription({
        endpoint: 'https://10.0.0.8/push/1',
        p256dh: keys.publicKey,
        auth: keys.auth,
      });
      await expect(attempt).rejects.toBeInstanceOf(BadRequestError);
      await expect(attempt).rejects.toMatchObject({
        relayCode: 'bad-push-endpoint',
        relayMessage: expect.stringMatching(/private network/) as unknown,
      });
    } finally {
      fresh.runtime.dispose();
    }
  }, 60_000);
});
