/**
 * Relay nodes while their infrastructure fails (issue 14): the bus (NATS or Redis) restarted in
 * the middle of a stream, and PostgreSQL restarted in the middle of a stream. These servers are
 * this test's own (support/own-servers.ts: own ports, own directories), so the machine's shared
 * NATS, Redis and PostgreSQL are never stopped. Nothing confirmed may be lost, no cursor shown
 * twice; senders resend what was refused with storage-failed, as clients do.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { setTimeout as delay } from 'node:timers/promises';
import { http, registerAndLogin } from './support/relay-api.js';
import { type Pair, allDelivered, keepConnected, pairProblems, setUpPairs } from './support/chat-traffic.js';
import { type TestCluster, startCluster } from './support/cluster.js';
import { type OwnServer, startOwnNats, startOwnPostgres, startOwnRedis } from './support/own-servers.js';
import type { RelayProcess } from './support/relay-process.js';

const TEST_TIMEOUT = 150_000;
let cluster: TestCluster | undefined;
const owned: OwnServer[] = [];

afterEach(async () => {
  await cluster?.dispose();
  cluster = undefined;
  await Promise.all(owned.splice(0).map((s) => s.dispose()));
});

async function until(check: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}

/**
 * Streams `perSender` messages on every pair; halfway, `outage` runs while sending goes on (and
 * ends during the outage when it is long). Then waits for every message to be confirmed and
 * delivered within 20 s, and checks each pair.
 */
async function streamThrough(
  nodes: readonly RelayProcess[],
  pairs: readonly Pair[],
  perSender: number,
  outage: () => Promise<void>,
): Promise<void> {
  // One message per pair every 10 ms: the second half takes about a second, less than an outage.
  const keeper = keepConnected(pairs, () => nodes);
  let fault: Promise<void> = Promise.resolve();
  try {
    for (let n = 0; n < perSender; n++) {
      for (const [i, { sender }] of pairs.entries()) sender.send(`p${i}-m${n}`);
      if (n === Math.floor(perSender / 2)) fault = outage();
      await delay(10);
    }
    await fault;
    await until(() => allDelivered(pairs, perSender), 'every message confirmed and delivered', 20_000);
  } finally {
    keeper.stop();
  }
  for (const pair of pairs) expect(pairProblems(pair.sender, pair.receiver)).toEqual([]);
  await Promise.all(pairs.flatMap(({ sender, receiver }) => [sender.close(), receiver.close()]));
}

async function metric(node: RelayProcess, name: string): Promise<number> {
  const text = new TextDecoder().decode((await http(node.origin, 'GET', '/metrics')).bytes);
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
}

describe('relay cluster faults', () => {
  it.each([
    ['NATS', startOwnNats, (url: string) => ({ NATS_URL: url })],
    ['Redis', startOwnRedis, (url: string) => ({ REDIS_URL: url })],
  ] as const)(
    'delivers what was sent while its %s bus restarted, once the bus is back, without waiting for a poll',
    async (_name, startBus, busEnv) => {
      const bus = await startBus();
      owned.push(bus);
      // Polling is slowed down to a minute: only the re-check at the bus's reconnect can find
      // the messages whose wake-ups were lost.
      cluster = await startCluster({ nodes: 2, bus: busEnv(bus.url), env: { SEALDESK_CLUSTER_POLL_MS: '60000' } });
      const nodes = cluster.nodes;
      const account = await registerAndLogin(nodes[0]?.origin ?? '', 'owner');
      const pairs = await setUpPairs(nodes, account, 4);
      // The stream ends while the bus is down: nothing after it would reveal a gap.
      await streamThrough(nodes, pairs, 150, async () => {
        await bus.stop();
        await delay(2_500);
        await bus.start();
      });
      for (const node of nodes) {
        expect(await metric(node, 'sealdesk_bus_reconnects_total')).toBeGreaterThanOrEqual(1);
        expect(await metric(node, 'sealdesk_bus_connected')).toBe(1);
      }
    },
    TEST_TIMEOUT,
  );

  it(
    'delivers everything confirmed across a restart of PostgreSQL in the middle of a stream',
    async () => {
      const pg = await startOwnPostgres();
      owned.push(pg);
      cluster = await startCluster({ nodes: 2, bus: { NATS_URL: 'nats://127.0.0.1:4222' }, pgAdminUrl: pg.url });
      const nodes = cluster.nodes;
      const account = await registerAndLogin(nodes[0]?.origin ?? '', 'owner');
      const pairs = await setUpPairs(nodes, account, 4);
      await streamThrough(nodes, pairs, 200, async () => {
        await pg.stop();
        await delay(1_500);
        await pg.start();
      });
      // The outage was seen: commits were refused (senders resent) while the server was down.
      const refused = await Promise.all(
        nodes.map((n) => metric(n, 'sealdesk_rejects_total\\{reason="storage-failed"\\}')),
      );
      expect(refused.some((n) => n > 0)).toBe(true);
      expect(pairs.some(({ sender }) => [...sender.attempts.values()].some((n) => n > 1))).toBe(true);
    },
    TEST_TIMEOUT,
  );
});
