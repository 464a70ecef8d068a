/**
 * The per-visitor block list and the conversation budgets against a real relay process (issue #15
 * item 6, docs/PROTOCOL.md §16.10, docs/OPERATIONS.md "Limits").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRAME_ERRORS } from '../../shared/wire/index.js';
import { type RelayProcess, makeDataDir, startRelayProcess } from './support/relay-process.js';
import {
  type Account,
  type Conversation,
  type Device,
  bearer,
  connectDevice,
  connectVisitor,
  enrolDevice,
  envelope,
  http,
  randomHexId,
  registerAndLogin,
} from './support/relay-api.js';

const PER_ADDRESS = 2;
const PER_ACCOUNT = 4;

describe('block list and conversation budgets', () => {
  const data = makeDataDir();
  let relay: RelayProcess;
  let shop: Account;
  let other: Account;
  let agent: Device;
  let nextAddress = 1;

  /** Opens a conversation from its own visitor address (X-Forwarded-For, one trusted proxy). */
  const open = (
    accountId: string,
    conversationId = randomHexId(),
    address = `198.51.100.${nextAddress++}`,
  ): ReturnType<typeof http> =>
    http(relay.origin, 'POST', `/v1/accounts/${accountId}/conversations`, {
      json: { conversationId },
      headers: { 'x-forwarded-for': address },
    });
  const conversation = async (accountId: string): Promise<Conversation> => {
    const r = await open(accountId);
    expect(r.status).toBe(201);
    return { conversationId: String(r.json['conversationId']), capability: String(r.json['capability']) };
  };

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir, {
      SEALDESK_TRUSTED_PROXIES: '1',
      SEALDESK_CONVERSATIONS_PER_HOUR: String(PER_ADDRESS),
      SEALDESK_ACCOUNT_CONVERSATIONS_PER_HOUR: String(PER_ACCOUNT),
    });
    shop = await registerAndLogin(relay.origin, 'shop@example.test');
    other = await registerAndLogin(relay.origin, 'other@example.test');
    agent = await enrolDevice(relay.origin, shop);
  });
  afterAll(async () => {
    await relay.stop('SIGKILL');
    data.remove();
  });

  it('refuses a visitor address over its budget, then the account over its own, each with Retry-After', async () => {
    const busy = await registerAndLogin(relay.origin, 'busy@example.test');
    const address = '203.0.113.7';
    for (let i = 0; i < PER_ADDRESS; i++) expect((await open(busy.accountId, randomHexId(), address)).status).toBe(201);
    const byAddress = await open(busy.accountId, randomHexId(), address);
    expect(byAddress.status).toBe(429);
    expect(byAddress.json['error']).toBe('rate-limited');
    const wait = Number(byAddress.headers.get('retry-after'));
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(3600);
    expect(byAddress.json['retryAfterSeconds']).toBe(wait);
    // Other addresses fill the account's budget; then every address is refused for this account.
    for (let i = PER_ADDRESS; i < PER_ACCOUNT; i++) expect((await open(busy.accountId)).status).toBe(201);
    const byAccount = await open(busy.accountId);
    expect(byAccount.status).toBe(429);
    expect(byAccount.json['error']).toBe('account-rate-limited');
    expect(Number(byAccount.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another account keeps its own budget.
    expect((await open(other.accountId)).status).toBe(201);
  });

  it('blocks a visitor: its socket closes, its hello is refused, it cannot reopen; unblocking lets it back', async () => {
    const visitor = await conversation(shop.accountId);
    const path = `/v1/conversations/${visitor.conversationId}/block`;
    const device = await connectDevice(relay.wsUrl, agent);
    const live = await connectVisitor(relay.wsUrl, visitor);
    live.send({
      type: 'send',
      requestId: 1,
      envelope: envelope(visitor.conversationId, { device: agent.deviceId }, new Uint8Array([1])),
    });
    await device.until((f) => f.some((x) => x.type === 'deliver'), 'first message');

    expect((await http(relay.origin, 'POST', path, { headers: bearer(shop) })).json).toEqual({ blocked: true });
    await live.until(() => live.closeCode !== undefined, 'close on block');
    expect(live.closeCode).toBe(4403);

    const again = await connectVisitor(relay.wsUrl, visitor);
    await again.until(() => again.closeCode !== undefined, 'refused hello');
    expect(again.of('error').map((e) => e.code)).toEqual([FRAME_ERRORS.blocked]);
    expect(again.of('ready')).toEqual([]);
    expect(again.closeCode).toBe(4403);

    // Nor can it upload or fetch attachments with its capability.
    const upload = await http(relay.origin, 'POST', `/v1/conversations/${visitor.conversationId}/attachments`, {
      body: new Uint8Array([1, 2, 3]),
      headers: { 'sealdesk-capability': visitor.capability },
    });
    expect([upload.status, upload.json['error']]).toEqual([403, 'blocked']);
    const reopen = await open(shop.accountId, visitor.conversationId);
    expect(reopen.status).toBe(403);
    expect(reopen.json['error']).toBe('blocked');
    const listed = await http(relay.origin, 'GET', `/v1/accounts/${shop.accountId}/blocked`, { headers: bearer(shop) });
    const entries = listed.json['blocked'] as { conversationId: string; blockedAt: number }[];
    expect(entries.map((e) => e.conversationId)).toEqual([visitor.conversationId]);
    expect(entries[0]?.blockedAt).toBeGreaterThan(0);

    expect((await http(relay.origin, 'DELETE', path, { headers: bearer(shop) })).json).toEqual({ blocked: false });
    expect((await http(relay.origin, 'DELETE', path, { headers: bearer(shop) })).status).toBe(404);
    const back = await connectVisitor(relay.wsUrl, visitor);
    await back.until((f) => f.some((x) => x.type === 'ready'), 'ready after unblock');
    back.send({
      type: 'send',
      requestId: 2,
      envelope: envelope(visitor.conversationId, { device: agent.deviceId }, new Uint8Array([2])),
    });
    await device.until((f) => f.filter((x) => x.type === 'deliver').length === 2, 'message after unblock');
    // Nothing from the blocked time reached the agent: exactly the message before and the one after.
    expect(device.of('deliver').map((d) => d.envelope[d.envelope.length - 1])).toEqual([1, 2]);
    await Promise.all([device.close(), back.close(), again.close(), live.close()]);
  });

  it('lets only the conversation’s own account block, unblock or list', async () => {
    const visitor = await conversation(shop.accountId);
    const path = `/v1/conversations/${visitor.conversationId}/block`;
    expect((await http(relay.origin, 'POST', path)).status).toBe(401);
    expect((await http(relay.origin, 'POST', path, { headers: bearer(other) })).status).toBe(403);
    expect(
      (await http(relay.origin, 'POST', `/v1/conversations/${randomHexId()}/block`, { headers: bearer(shop) })).status,
    ).toBe(404);
    // A visitor's own capability is no account session.
    expect(
      (await http(relay.origin, 'POST', path, { headers: { 'sealdesk-capability': visitor.capability } })).status,
    ).toBe(401);
    expect(
      (await http(relay.origin, 'GET', `/v1/accounts/${shop.accountId}/blocked`, { headers: bearer(other) })).status,
    ).toBe(403);
    expect((await http(relay.origin, 'POST', path, { headers: bearer(shop) })).status).toBe(200);
    expect((await http(relay.origin, 'DELETE', path, { headers: bearer(other) })).status).toBe(403);
    const theirs = await http(relay.origin, 'GET', `/v1/accounts/${other.accountId}/blocked`, {
      headers: bearer(other),
    });
    expect(theirs.json['blocked']).toEqual([]);
  });
});
