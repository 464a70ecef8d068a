/**
 * Conversation capabilities against a real relay process: a second visitor can neither read nor
 * write another visitor's conversation, over WebSocket or HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRAME_ERRORS, asConversationId, idBytesFromHex } from '../../shared/wire/index.js';
import { type RelayProcess, makeDataDir, startRelayProcess } from './support/relay-process.js';
import {
  type Account,
  type Conversation,
  type Device,
  connectDevice,
  connectVisitor,
  enrolDevice,
  envelope,
  http,
  openConversation,
  registerAndLogin,
  unb64,
} from './support/relay-api.js';
import { TestClient } from './support/ws-client.js';

describe('visitor isolation', () => {
  const data = makeDataDir();
  let relay: RelayProcess;
  let account: Account;
  let agent: Device;
  let alice: Conversation;
  let bob: Conversation;

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir);
    account = await registerAndLogin(relay.origin, 'counselling@example.test');
    agent = await enrolDevice(relay.origin, account);
    alice = await openConversation(relay.origin, account.accountId);
    bob = await openConversation(relay.origin, account.accountId);
  });
  afterAll(async () => {
    await relay.stop('SIGKILL');
    data.remove();
  });

  it('refuses a hello with another conversation id and the wrong capability', async () => {
    const c = await connectVisitor(relay.wsUrl, { conversationId: alice.conversationId, capability: bob.capability });
    await c.until(() => c.closeCode !== undefined, 'close');
    expect(c.of('error').map((e) => e.code)).toEqual([FRAME_ERRORS['auth-failed']]);
    expect(c.of('ready')).toEqual([]);
    const unknown = await connectVisitor(relay.wsUrl, { conversationId: 'cd'.repeat(16), capability: bob.capability });
    await unknown.until(() => unknown.closeCode !== undefined, 'close');
    expect(unknown.closeCode).toBe(4401);
  });

  it('does not let one visitor write into or read from another conversation', async () => {
    const device = await connectDevice(relay.wsUrl, agent);
    const a = await connectVisitor(relay.wsUrl, alice);
    const b = await connectVisitor(relay.wsUrl, bob);
    // Bob tries to write into Alice's conversation, and to address a visitor directly.
    b.send({
      type: 'send',
      requestId: 1,
      envelope: envelope(alice.conversationId, { device: agent.deviceId }, new Uint8Array([1])),
    });
    b.send({ type: 'send', requestId: 2, envelope: envelope(bob.conversationId, 'visitor', new Uint8Array([2])) });
    b.send({
      type: 'send',
      requestId: 3,
      envelope: envelope(bob.conversationId, { device: agent.deviceId }, new Uint8Array([3])),
    });
    await b.until((f) => f.some((x) => x.type === 'stored'), 'own message stored');
    expect(b.of('error').map((e) => [e.requestId, e.code])).toEqual([
      [1, FRAME_ERRORS.forbidden],
      [2, FRAME_ERRORS.forbidden],
    ]);
    // The agent answers Alice; only Alice receives it.
    device.send({
      type: 'send',
      requestId: 9,
      envelope: envelope(alice.conversationId, 'visitor', new Uint8Array([4])),
    });
    await a.until((f) => f.some((x) => x.type === 'deliver'), 'alice delivery');
    await new Promise((r) => setTimeout(r, 200));
    expect(b.of('deliver')).toEqual([]);
    // The agent's device got exactly Bob's legitimate message.
    await device.until((f) => f.some((x) => x.type === 'deliver'), 'device delivery');
    expect(device.of('deliver').map((d) => d.envelope[d.envelope.length - 1])).toEqual([3]);
    await Promise.all([device.close(), a.close(), b.close()]);
  });

  it('opens a conversation under a client-chosen id once, and never hands out a second capability for it', async () => {
    const own = 'ef'.repeat(16);
    const first = await http(relay.origin, 'POST', `/v1/accounts/${account.accountId}/conversations`, {
      json: { conversationId: own },
    });
    expect(first.status).toBe(201);
    expect(first.json['conversationId']).toBe(own);
    const hijack = await http(relay.origin, 'POST', `/v1/accounts/${account.accountId}/conversations`, {
      json: { conversationId: own },
    });
    expect(hijack.status).toBe(409);
    expect(hijack.json['error']).toBe('conversation-exists');
    expect(
      (
        await http(relay.origin, 'POST', `/v1/accounts/${account.accountId}/conversations`, {
          json: { conversationId: 'EF'.repeat(16) },
        })
      ).status,
    ).toBe(400);
  });

  it('guards attachments and deletion by capability / account session', async () => {
    const up = await http(relay.origin, 'POST', `/v1/conversations/${alice.conversationId}/attachments`, {
      body: new Uint8Array([5, 6, 7]),
      headers: { 'sealdesk-capability': alice.capability },
    });
    expect(up.status).toBe(201);
    const id = String(up.json['attachmentId']);
    const path = `/v1/conversations/${alice.conversationId}/attachments/${id}`;
    expect(
      (await http(relay.origin, 'GET', path, { headers: { 'sealdesk-capability': alice.capability } })).bytes,
    ).toEqual(new Uint8Array([5, 6, 7]));
    expect((await http(relay.origin, 'GET', path, { headers: { 'sealdesk-capability': bob.capability } })).status).toBe(
      403,
    );
    expect((await http(relay.origin, 'GET', path)).status).toBe(403);
    expect(
      (
        await http(relay.origin, 'GET', `/v1/conversations/${bob.conversationId}/attachments/${id}`, {
          headers: { 'sealdesk-capability': bob.capability },
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await http(relay.origin, 'POST', `/v1/conversations/${alice.conversationId}/attachments`, {
          body: new Uint8Array([1]),
          headers: { 'sealdesk-capability': bob.capability },
        })
      ).status,
    ).toBe(403);
    // A cookie is never accepted as a capability.
    expect(
      (await http(relay.origin, 'GET', path, { headers: { cookie: `sealdesk-capability=${alice.capability}` } }))
        .status,
    ).toBe(403);
    // Only the account may delete; a visitor capability is not enough.
    expect(
      (
        await http(relay.origin, 'DELETE', `/v1/conversations/${alice.conversationId}`, {
          headers: { 'sealdesk-capability': alice.capability },
        })
      ).status,
    ).toBe(401);
    expect(unb64(alice.capability).length).toBe(32);
    expect(asConversationId(idBytesFromHex(alice.conversationId)).length).toBe(16);
    const stray = await TestClient.connect(relay.wsUrl);
    await stray.until((f) => f.some((x) => x.type === 'challenge'), 'challenge');
    await stray.close();
  });
});
