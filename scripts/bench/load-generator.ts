/**
 * The load-generator process (forked by main.ts, commands over the IPC channel, see ipc.ts).
 * It plays every client: visitors and agent devices against the relay, plain sockets against the
 * bare forwarder, and measures deliveries, latency and the server's CPU and memory.
 */
import { type Command, type LatencySummary, type MaxSummary, type Reply, type Target, asCommand } from './ipc.js';
import { BenchError } from './bench-error.js';
import { connectBare } from './bare-topology.js';
import { type RelayPopulation, connectRelay } from './relay-topology.js';
import { type Account, type VisitorTicket, createAccount, enrolDevice, openConversation } from './relay-setup.js';
import { inPool } from './pool.js';
import { measureIdle, prepareIdleVisitors } from './idle-connections.js';
import { type RunResult, maxRate, paced } from './runs.js';
import { percentile } from './stats.js';
import type { Topology } from './topology.js';

const HTTP_CONCURRENCY = 8;
const ACCOUNT_CONCURRENCY = 4;
const DEVICES_PER_ACCOUNT = 50;
let accountsCreated = 0;

/** Provisioned relay populations by name ('relay' unless the command names one). */
const populations = new Map<string, RelayPopulation>();
let idleVisitors: VisitorTicket[] = [];
const topologies = new Map<Target, Topology>();

function summary(r: RunResult): MaxSummary {
  return {
    sent: r.sent,
    delivered: r.delivered,
    seconds: r.seconds,
    rate: r.rate,
    serverCpuSeconds: r.serverCpuSeconds,
    generatorCpuSeconds: r.generatorCpuSeconds,
  };
}

function latencySummary(r: RunResult, offeredRate: number): LatencySummary {
  const has = r.latenciesMs.length > 0;
  return {
    ...summary(r),
    offeredRate,
    p50Ms: has ? percentile(r.latenciesMs, 50) : Number.NaN,
    p99Ms: has ? percentile(r.latenciesMs, 99) : Number.NaN,
    maxMs: has ? percentile(r.latenciesMs, 100) : Number.NaN,
  };
}

async function handle(command: Command): Promise<Reply | undefined> {
  const started = performance.now();
  switch (command.kind) {
    case 'provision': {
      // Devices and visitors with the same index share an account; an account holds at most
      // DEVICES_PER_ACCOUNT devices (the relay's cap is the device-list cap, 64).
      const accountCount = Math.ceil(Math.max(command.devices, command.visitors, 1) / DEVICES_PER_ACCOUNT);
      const accounts = await inPool(accountCount, ACCOUNT_CONCURRENCY, () => createAccount(command.origin));
      const accountOf = (i: number): Account => {
        const account = accounts[Math.floor(i / DEVICES_PER_ACCOUNT)];
        if (account === undefined) throw new BenchError('account missing');
        return account;
      };
      const devices = await inPool(command.devices, HTTP_CONCURRENCY, (i) => enrolDevice(command.origin, accountOf(i)));
      const visitors = await inPool(command.visitors, HTTP_CONCURRENCY, (i) =>
        openConversation(command.origin, accountOf(i).accountId),
      );
      populations.set(command.population ?? 'relay', { devices, visitors });
      accountsCreated = accountCount;
      return { kind: 'provisioned', seconds: (performance.now() - started) / 1000, accounts: accountsCreated };
    }
    case 'connect': {
      if (topologies.has(command.target)) throw new BenchError(`${command.target} is connected already`);
      let topology: Topology;
      const [url] = command.urls;
      if (url === undefined) throw new BenchError('connect needs a URL');
      if (command.target === 'bare') {
        topology = await connectBare(url, command.senders, command.fanout);
      } else {
        const population = populations.get(command.population ?? 'relay');
        if (population === undefined) throw new BenchError('provision the relay before connecting');
        topology = await connectRelay(command.urls, population, command.senders, command.fanout);
      }
      topologies.set(command.target, topology);
      return { kind: 'connected', seconds: (performance.now() - started) / 1000 };
    }
    case 'measure': {
      const topology = topologies.get(command.target);
      if (topology === undefined) throw new BenchError(`${command.target} is not connected`);
      topology.problems.clear();
      topology.prepare(command.frameBytes);
      await maxRate(topology, command.serverPids, command.window, command.warmup);
      const max = await maxRate(topology, command.serverPids, command.window, command.max);
      const offered = max.rate * command.loadFactor;
      const latency = await paced(topology, command.serverPids, offered, command.paced);
      return {
        kind: 'measured',
        max: summary(max),
        latency: latencySummary(latency, offered),
        problems: Object.fromEntries(topology.problems),
      };
    }
    case 'disconnect':
      for (const t of topologies.values()) await t.close();
      topologies.clear();
      return { kind: 'disconnected' };
    case 'idle-prepare':
      idleVisitors = await prepareIdleVisitors(command.origin, command.connections);
      return { kind: 'idle-prepared', seconds: (performance.now() - started) / 1000 };
    case 'idle':
      return measureIdle(
        command.target,
        command.url,
        command.serverPid,
        command.connections,
        command.settleMs,
        idleVisitors,
      );
    case 'exit':
      for (const t of topologies.values()) await t.close();
      process.exit(0);
  }
}

function reply(message: Reply): void {
  process.send?.(message);
}

if (process.send === undefined) {
  process.stderr.write('load-generator.ts is started by scripts/bench/main.ts (it needs an IPC channel)\n');
  process.exit(2);
}

let queue: Promise<void> = Promise.resolve();
process.on('message', (raw: unknown) => {
  queue = queue.then(async () => {
    try {
      const answer = await handle(asCommand(raw));
      if (answer !== undefined) reply(answer);
    } catch (error) {
      reply({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
    }
  });
});
// The parent going away (normal end, crash or SIGINT) ends the generator too.
process.on('disconnect', () => process.exit(0));
