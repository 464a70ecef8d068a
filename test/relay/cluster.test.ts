/**
 * Several relay processes on the machine's PostgreSQL (a database of their own), with NATS or
 * Redis between them (issue 14): clients spread over the nodes, a node killed with SIGKILL in the
 * middle of a stream, requests of one flow sent to different nodes, and one-time prekeys claimed
 * from every node at once. Nothing confirmed may be lost, no cursor may be delivered twice.
 */
import * as opaque from '@serenity-kit/opaque';
import { afterEach, describe, expect, it } from 'vitest';
import { setTimeout as delay } from 'node:timers/promises';
import {
  type Account,
  type Device,
  b64,
  bearer,
  connectDevice,
  connectVisitor,
  enrolDevice,
  envelope,
  http,
  openConversation,
  register,
  registerAndLogin,
  signChallenge,
  unb64,
} from './support/relay-api.js';
import {
  CheckingReceiver,
  ResendingSender,
  allDelivered,
  keepConnected,
  pairProblems,
  setUpPairs,
} from './support/chat-traffic.js';
import { type BusChoice, MACHINE_NATS, MACHINE_REDIS, type TestCluster, startCluster } from './support/cluster.js';
import type { RelayProcess } from './support/relay-process.js';
import { OPAQUE_KEY_STRETCHING } from '../../shared/protocol/index.js';

const TEST_TIMEOUT = 120_000;
let cluster: TestCluster | undefined;

afterEach(async () => {
  await cluster?.dispose();
  cluster = undefined;
});

async function until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}

/** An OPAQUE login whose start goes to one node and whose finish goes to another. */
async function loginAcross(
  startOrigin: string,
  finishOrigin: string,
  username: string,
  password: string,
): Promise<Account> {
  await opaque.ready;
  const { clientLoginState, startLoginRequest } = opaque.client.startLogin({ password });
  const start = await http(startOrigin, 'POST', '/v1/auth/login/start', { json: { username, startLoginRequest } });
  const result = opaque.client.finishLogin({
    clientLoginState,
    loginResponse: String(start.json['loginResponse']),
    password,
    keyStretching: OPAQUE_KEY_STRETCHING,
  });
  if (result === undefined) throw new Error('login refused by the client (wrong password)');
  const finish = await http(finishOrigin, 'POST', '/v1/auth/login/finish', {
    json: { loginId: start.json['loginId'], finishLoginRequest: result.finishLoginRequest },
  });
  if (finish.status !== 200) throw new Error(`login/finish ${finish.status}`);
  return { accountId: String(finish.json['accountId']), token: String(finish.json['sessionToken']), username };
}

describe.each<[string, BusChoice]>([
  ['NATS', { NATS_URL: MACHINE_NATS }],
  ['Redis', { REDIS_URL: MACHINE_REDIS }],
])('relay cluster over %s', (_name, bus) => {
  it(
    'delivers between clients on different nodes, in both directions, and a device removal closes its socket on another node',
    async () => {
      cluster = await startCluster({ nodes: 3, bus });
      const [a, b, c] = cluster.nodes;
      if (a === undefined || b === undefined || c === undefined) throw new Error('three nodes');
      const account = await registerAndLogin(a.origin, 'owner');
      const device = await enrolDevice(b.origin, account);
      const conversation = await openConversation(c.origin, account.accountId);
      const agent = await connectDevice(b.wsUrl, device);
      const visitor = await connectVisitor(a.wsUrl, conversation);
      visitor.send({
        type: 'send',
        requestId: 1,
        envelope: envelope(conversation.conversationId, { device: device.deviceId }, new Uint8Array([1, 2, 3])),
      });
      await agent.until((f) => f.some((x) => x.type === 'deliver'), 'deliver on node B');
      agent.send({
        type: 'send',
        requestId: 7,
        envelope: envelope(conversation.conversationId, 'visitor', new Uint8Array([4])),
      });
      await visitor.until((f) => f.some((x) => x.type === 'deliver'), 'reply on node A');
      const [delivered] = agent.of('deliver');
      const [stored] = visitor.of('stored');
      expect(delivered?.cursor).toBe(stored?.cursor);
      // Removed through node C: the agent's socket on node B closes (announced on the bus).
      const removed = await http(c.origin, 'DELETE', `/v1/accounts/${account.accountId}/devices/${device.deviceId}`, {
        headers: bearer(account),
      });
      expect(removed.status).toBe(200);
      await agent.until(() => agent.closeCode !== undefined, 'close on node B');
      expect(agent.closeCode).toBe(4410);
      await visitor.close();
    },
    TEST_TIMEOUT,
  );
});

describe('relay cluster over NATS', () => {
  it(
    'loses nothing confirmed and shows nothing twice when a node is killed with SIGKILL mid-stream',
    async () => {
      cluster = await startCluster({ nodes: 3, bus: { NATS_URL: MACHINE_NATS } });
      const nodes = cluster.nodes;
      const victim = nodes[0];
      if (victim === undefined) throw new Error('no node');
      const account = await registerAndLogin(nodes[1]?.origin ?? '', 'owner');
      const pairs = await setUpPairs(nodes, account, 6);
      const keeper = keepConnected(pairs, () => nodes);
      const perSender = 250;
      for (let n = 0; n < perSender; n++) {
        for (const [i, { sender }] of pairs.entries()) sender.send(`p${i}-m${n}`);
        // Clients of the killed node reconnect to another one, as real clients do.
        if (n === Math.floor(perSender / 2)) await victim.stop('SIGKILL');
        await delay(8);
      }
      await until(() => allDelivered(pairs, perSender), 'every message confirmed and delivered');
      keeper.stop();
      expect(victim.child.signalCode).toBe('SIGKILL');
      for (const pair of pairs) expect(pairProblems(pair.sender, pair.receiver)).toEqual([]);
      // The kill hit clients of the stream: a third of them had to move to another node.
      const moved = pairs.flatMap(({ sender, receiver }) => [sender, receiver]).filter((c) => c.connects > 1);
      expect(moved.length).toBeGreaterThanOrEqual(4);
      await Promise.all(pairs.flatMap(({ sender, receiver }) => [sender.close(), receiver.close()]));
    },
    TEST_TIMEOUT,
  );

  it(
    'delivers to one agent device what many visitors on every node send it at once, in cursor order, without a gap',
    async () => {
      cluster = await startCluster({ nodes: 3, bus: { NATS_URL: MACHINE_NATS } });
      const nodes = cluster.nodes;
      const [a, b, c] = nodes;
      if (a === undefined || b === undefined || c === undefined) throw new Error('three nodes');
      const account = await registerAndLogin(a.origin, 'busy');
      const device = await enrolDevice(b.origin, account);
      // The agent on node C; nine visitors, three on each node, all writing to the agent's queue.
      const receiver = new CheckingReceiver(device);
      await receiver.connect(c.wsUrl);
      const senders: ResendingSender[] = [];
      for (let i = 0; i < 9; i++) {
        const node = nodes[i % 3] ?? a;
        const sender = new ResendingSender(await openConversation(node.origin, account.accountId), device.deviceId);
        await sender.connect(node.wsUrl);
        senders.push(sender);
      }
      const perSender = 120;
      for (let n = 0; n < perSender; n++) {
        for (const [i, sender] of senders.entries()) sender.send(`v${i}-m${n}`);
        await delay(5);
      }
      await until(
        () =>
          senders.every((s) => s.confirmed.size === perSender && [...s.confirmed].every((id) => receiver.seen.has(id))),
        'every message delivered to the agent',
      );
      expect(receiver.problems).toEqual([]);
      expect(receiver.seen.size).toBe(perSender * senders.length);
      expect([...receiver.seen.values()].every((n) => n === 1)).toBe(true);
      await Promise.all([...senders.map((s) => s.close()), receiver.close()]);
    },
    TEST_TIMEOUT,
  );

  it(
    'still delivers across nodes without any bus, by reading the store (the bus is only a wake-up)',
    async () => {
      cluster = await startCluster({ nodes: 2, bus: {}, env: { SEALDESK_CLUSTER_POLL_MS: '200' } });
      const [a, b] = cluster.nodes;
      if (a === undefined || b === undefined) throw new Error('two nodes');
      const account = await registerAndLogin(a.origin, 'nobus');
      const device = await enrolDevice(a.origin, account);
      const receiver = new CheckingReceiver(device);
      await receiver.connect(b.wsUrl);
      const sender = new ResendingSender(await openConversation(a.origin, account.accountId), device.deviceId);
      await sender.connect(a.wsUrl);
      for (let n = 0; n < 50; n++) sender.send(`m${n}`);
      await until(() => sender.confirmed.size === 50 && receiver.seen.size === 50, 'delivery by polling');
      expect(pairProblems(sender, receiver)).toEqual([]);
      await Promise.all([sender.close(), receiver.close()]);
    },
    TEST_TIMEOUT,
  );

  it(
    'serves a login, a device sign-in and prekey claims whose requests land on different nodes',
    async () => {
      cluster = await startCluster({ nodes: 3, bus: { NATS_URL: MACHINE_NATS } });
      const [a, b, c] = cluster.nodes;
      if (a === undefined || b === undefined || c === undefined) throw new Error('three nodes');
      // Registration on A; login start on B and finish on C.
      await register(a.origin, 'roaming', 'pw one two three');
      const account = await loginAcross(b.origin, c.origin, 'roaming', 'pw one two three');
      // A wrong password fails the same way across nodes.
      await expect(loginAcross(c.origin, a.origin, 'roaming', 'wrong')).rejects.toThrow(/login/);
      const device: Device = await enrolDevice(c.origin, account);
      // A device challenge from A, the session from B.
      const challenge = await http(a.origin, 'POST', '/v1/auth/device/challenge', {
        json: { accountId: account.accountId, deviceId: device.deviceId },
      });
      const signature = await signChallenge(device, unb64(String(challenge.json['challenge'])));
      const sessionOn = (node: RelayProcess): ReturnType<typeof http> =>
        http(node.origin, 'POST', '/v1/auth/device/session', {
          json: {
            accountId: account.accountId,
            deviceId: device.deviceId,
            challenge: challenge.json['challenge'],
            signature: b64(signature),
          },
        });
      expect((await sessionOn(b)).status).toBe(200);
      // The same challenge is spent everywhere.
      const replay = await sessionOn(c);
      expect(replay.status).toBe(401);
      // 60 prekeys, 120 claims spread over the three nodes at once: each prekey once, 60 none-left.
      const prekeys = Array.from({ length: 60 }, (_, i) => b64(new Uint8Array([i, ...new Uint8Array(31).fill(i)])));
      const path = `/v1/accounts/${account.accountId}/devices/${device.deviceId}/one-time-prekeys`;
      expect((await http(a.origin, 'POST', path, { json: { prekeys }, headers: bearer(account) })).status).toBe(200);
      const nodes = [a, b, c];
      const claims = await Promise.all(
        Array.from({ length: 120 }, (_, i) => http(nodes[i % 3]?.origin ?? '', 'POST', `${path}/claim`)),
      );
      const got = claims.filter((r) => r.status === 200).map((r) => String(r.json['prekey']));
      expect(got).toHaveLength(60);
      expect(new Set(got)).toEqual(new Set(prekeys));
      expect(claims.filter((r) => r.status === 404)).toHaveLength(60);
    },
    TEST_TIMEOUT,
  );
});
