/**
 * PROTOCOL §16.11 and §16.12 across relay nodes (issue #15): two real relay processes on the
 * machine's PostgreSQL with NATS or Redis between them. A history write with notify=1 and a team
 * signal on node 1 reach the account's devices on node 2 over the account's bus channel, a grant
 * written with notify=1 on node 1 nudges the device it is for on node 2 (and only it) — never
 * the author device (on either node), another account or a visitor — once each (Redis echoes a
 * node's own publishes: they must not come back to its sockets).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { idToHex } from '../../shared/wire/index.js';
import {
  connectDevice,
  connectVisitor,
  enrolDevice,
  openConversation,
  randomHexId,
  registerAndLogin,
} from './support/relay-api.js';
import { as, deviceSession } from './support/device-roles.js';
import { type BusChoice, MACHINE_NATS, MACHINE_REDIS, type TestCluster, startCluster } from './support/cluster.js';
import type { TestClient } from './support/ws-client.js';

const TEST_TIMEOUT = 120_000;
let cluster: TestCluster | undefined;

afterEach(async () => {
  await cluster?.dispose();
  cluster = undefined;
});

/** Each team signal a client got, as `author:first byte:length`. */
const signals = (c: TestClient): string[] =>
  c.frames.flatMap((f) =>
    f.type === 'team-signal' ? [`${idToHex(f.author)}:${f.blob[0] ?? -1}:${f.blob.length}`] : [],
  );
const nudges = (c: TestClient): number => c.frames.filter((f) => f.type === 'nudge').length;

/** A record-shaped blob naming `author` at bytes 22..38 (the relay reads nothing else of it). */
function recordBy(author: string, fill: number): Uint8Array {
  const bytes = new Uint8Array(120).fill(fill);
  bytes.set(Buffer.from(author, 'hex'), 22);
  return bytes;
}

/**
 * Sends `from`'s probe signal (blob [0]) until `to` on the other node has one: the subscription to
 * the account's channel is made when `to` connects, without waiting for the bus to confirm it.
 */
async function awaitAccountChannel(from: TestClient, to: TestClient): Promise<void> {
  const has = (): boolean => signals(to).some((s) => s.endsWith(':0:1'));
  for (let attempt = 0; attempt < 20 && !has(); attempt++) {
    from.send({ type: 'team-signal', blob: new Uint8Array([0]) });
    await to.until(has, 'the probe signal', 1_000).catch(() => undefined);
  }
  if (!has()) throw new Error('the account channel never carried a signal to the other node');
}

describe.each<[string, BusChoice]>([
  ['NATS', { NATS_URL: MACHINE_NATS }],
  ['Redis', { REDIS_URL: MACHINE_REDIS }],
])('§16.11/§16.12 across relay nodes over %s', (_name, bus) => {
  it(
    'a nudge and a team signal from node 1 reach the account’s other devices on node 2, never the author, another account or a visitor',
    async () => {
      cluster = await startCluster({ nodes: 2, bus });
      const [n1, n2] = cluster.nodes;
      if (n1 === undefined || n2 === undefined) throw new Error('two nodes');
      const accountA = await registerAndLogin(n1.origin, `signals-${randomHexId()}@example.test`);
      const accountB = await registerAndLogin(n2.origin, `signals-${randomHexId()}@example.test`);
      const [a1, a2, a3] = [
        await enrolDevice(n1.origin, accountA),
        await enrolDevice(n1.origin, accountA),
        await enrolDevice(n1.origin, accountA),
      ];
      const [b0, b1] = [await enrolDevice(n2.origin, accountB), await enrolDevice(n2.origin, accountB)];
      // Node 1: the author a1, its sibling a3, and b0. Node 2: a2, a second socket of a1, b1, a visitor of A.
      const w1 = await connectDevice(n1.wsUrl, a1);
      const w3 = await connectDevice(n1.wsUrl, a3);
      const wb0 = await connectDevice(n1.wsUrl, b0);
      const w2 = await connectDevice(n2.wsUrl, a2);
      const w1b = await connectDevice(n2.wsUrl, a1);
      const wb1 = await connectDevice(n2.wsUrl, b1);
      const visitor = await connectVisitor(n2.wsUrl, await openConversation(n2.origin, accountA.accountId));
      await awaitAccountChannel(w1, w2);

      // §16.12: a1's signal on node 1, named by a1, at a2 on node 2 (and a3 next to it on node 1).
      w1.send({ type: 'team-signal', blob: new Uint8Array(145).fill(7) });
      await w2.until((f) => f.some((x) => x.type === 'team-signal' && x.blob.length === 145), 'the signal on node 2');

      // §16.11: a1 writes a history record on node 1 with notify=1; a2 on node 2 is nudged.
      const history = `/v1/accounts/${accountA.accountId}/history/${a1.deviceId}`;
      const token = await deviceSession(n1.origin, a1);
      const put = await as(token, n1.origin, 'PUT', `${history}/cc01?notify=1`, { body: recordBy(a1.deviceId, 1) });
      expect(put.status).toBe(201);
      await w2.until((f) => f.some((x) => x.type === 'nudge'), 'the nudge on node 2');

      // §16.11: a grant for a2 written on node 1 with notify=1 nudges a2 on node 2, and no one else.
      const grants = `/v1/accounts/${accountA.accountId}/devices/${a2.deviceId}/archive-grants?notify=1`;
      expect((await as(token, n1.origin, 'POST', grants, { body: new Uint8Array([1, 2, 3]) })).status).toBe(201);
      await w2.until(() => nudges(w2) === 2, 'the grant’s nudge on node 2');

      // Markers after them, one per account channel: a3's signal (node 1) and b0's (node 1). Once
      // they are in, anything misdirected earlier on the same channels would be in too.
      w3.send({ type: 'team-signal', blob: new Uint8Array([3]) });
      wb0.send({ type: 'team-signal', blob: new Uint8Array([9]) });
      await w2.until(() => signals(w2).includes(`${a3.deviceId}:3:1`), 'a3’s marker on node 2');
      await w1b.until(() => signals(w1b).includes(`${a3.deviceId}:3:1`), 'a3’s marker at a1 on node 2');
      await wb1.until(() => signals(wb1).includes(`${b0.deviceId}:9:1`), 'b0’s marker on node 2');

      const probes = (c: TestClient): string[] => signals(c).filter((s) => !s.endsWith(':0:1'));
      expect(probes(w2)).toEqual([`${a1.deviceId}:7:145`, `${a3.deviceId}:3:1`]);
      expect(probes(w3)).toEqual([`${a1.deviceId}:7:145`]);
      // The author's sockets, on either node, get none of its own signals; b1 and the visitor none of A's.
      expect(signals(w1)).toEqual([`${a3.deviceId}:3:1`]);
      expect(signals(w1b)).toEqual([`${a3.deviceId}:3:1`]);
      expect(signals(wb1)).toEqual([`${b0.deviceId}:9:1`]);
      expect(signals(visitor)).toEqual([]);
      expect(signals(wb0)).toEqual([]);
      // a2 (node 2): the history nudge and its grant's; a3 (node 1): the history nudge; none for the
      // author, the other account or the visitor.
      expect([w1, w1b, w2, w3, wb0, wb1, visitor].map(nudges)).toEqual([0, 0, 2, 1, 0, 0, 0]);
      await Promise.all([w1, w1b, w2, w3, wb0, wb1, visitor].map((c) => c.close()));
    },
    TEST_TIMEOUT,
  );
});
