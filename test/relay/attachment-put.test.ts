/**
 * #11.3: PUT /v1/conversations/:c/attachments/:id (relay/http/attachment-put-route.ts), against a real
 * relay process: stored under the sender's id, readable with the capability, refused without it, and
 * an id already taken (in this or another conversation) is refused and never overwritten.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RelayProcess, makeDataDir, startRelayProcess } from './support/relay-process.js';
import { type Conversation, http, openConversation, randomHexId, registerAndLogin } from './support/relay-api.js';

describe('#11.3: attachments under the client-chosen id', () => {
  const data = makeDataDir();
  let relay: RelayProcess;
  let alice: Conversation;
  let bob: Conversation;

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir);
    const account = await registerAndLogin(relay.origin, `put-${crypto.randomUUID()}@example.test`);
    alice = await openConversation(relay.origin, account.accountId);
    bob = await openConversation(relay.origin, account.accountId);
  });
  afterAll(async () => {
    await relay.stop('SIGKILL');
    data.remove();
  });

  const cap = (c: Conversation): Record<string, string> => ({ 'sealdesk-capability': c.capability });

  it('#11.3: stores under the id, refuses a taken id and a missing capability', async () => {
    const id = randomHexId();
    const path = `/v1/conversations/${alice.conversationId}/attachments/${id}`;
    const blob = new Uint8Array([1, 2, 3, 4]);
    expect((await http(relay.origin, 'PUT', path, { body: blob })).status).toBe(403);
    const put = await http(relay.origin, 'PUT', path, { body: blob, headers: cap(alice) });
    expect(put.status).toBe(201);
    expect(put.json).toEqual({ attachmentId: id });
    const got = await http(relay.origin, 'GET', path, { headers: cap(alice) });
    expect(got.bytes).toEqual(blob);

    const again = await http(relay.origin, 'PUT', path, { body: new Uint8Array([9]), headers: cap(alice) });
    expect(again.status).toBe(409);
    expect(again.json['error']).toBe('attachment-exists');
    const elsewhere = `/v1/conversations/${bob.conversationId}/attachments/${id}`;
    expect((await http(relay.origin, 'PUT', elsewhere, { body: new Uint8Array([9]), headers: cap(bob) })).status).toBe(
      409,
    );
    expect((await http(relay.origin, 'GET', path, { headers: cap(alice) })).bytes).toEqual(blob);
    expect((await http(relay.origin, 'GET', path, { headers: cap(bob) })).status).toBe(403);
  });

  it('#11.3: twenty uploads racing for one id: one 201, the rest 409, no 500, the first blob kept', async () => {
    const id = randomHexId();
    const racers = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? alice : bob));
    const answers = await Promise.all(
      racers.map((c, i) =>
        http(relay.origin, 'PUT', `/v1/conversations/${c.conversationId}/attachments/${id}`, {
          body: new Uint8Array([i + 1]),
          headers: cap(c),
        }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    const winner = statuses.indexOf(201);
    const owner = racers[winner] ?? alice;
    const got = await http(relay.origin, 'GET', `/v1/conversations/${owner.conversationId}/attachments/${id}`, {
      headers: cap(owner),
    });
    expect(got.bytes).toEqual(new Uint8Array([winner + 1]));
  });
});
