/**
 * `npm run bench -- --cluster` (issue 14, item 4): the single-node method (closed-loop max rate,
 * then an open loop at 50% of that side's own max rate for latency) on three sides in the same
 * run, alternating their order per repetition:
 *   sqlite  the relay on its SQLite file (one process);
 *   pg1     one relay node on PostgreSQL, every client on it (the second node idles);
 *   pg2     two relay nodes on the same database with NATS between them, each sender on one node
 *           and its receiver on the other, so every delivery crosses nodes.
 * Server CPU is the relay processes' plus the PostgreSQL backends serving the database.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GeneratorChannel } from './generator-channel.js';
import type { ClusterTarget } from './ipc.js';
import { type BenchPlan, windowFor } from './plan.js';
import type { CellSample } from './results.js';
import { type PgCluster, startPgCluster } from './cluster-servers.js';
import { type Child, startRelay, stop } from './servers.js';

const progress = (line: string): void => {
  process.stderr.write(`bench: ${line}\n`);
};

interface Sides {
  readonly sqlite: { child: Child; origin: string; wsUrl: string };
  readonly pg: PgCluster;
}

function urlsOf(sides: Sides, target: ClusterTarget): string[] {
  if (target === 'sqlite') return [sides.sqlite.wsUrl];
  const nodes = sides.pg.nodes.map((n) => n.wsUrl);
  return target === 'pg1' ? nodes.slice(0, 1) : nodes;
}

async function pidsOf(sides: Sides, target: ClusterTarget): Promise<number[]> {
  if (target === 'sqlite') return [sides.sqlite.child.pid];
  return [...sides.pg.nodes.map((n) => n.child.pid), ...(await sides.pg.backendPids())];
}

async function measureTarget(
  gen: GeneratorChannel,
  sides: Sides,
  plan: BenchPlan,
  rep: number,
  target: ClusterTarget,
  pairs: number,
  sizes: readonly number[],
  samples: CellSample[],
): Promise<void> {
  const population = target === 'sqlite' ? 'sqlite' : 'pg';
  const urls = urlsOf(sides, target);
  const connected = await gen.ask(
    { kind: 'connect', target, urls, senders: pairs, fanout: 1, population },
    'connected',
  );
  progress(`  connected ${pairs * 2} ${target} clients in ${connected.seconds.toFixed(1)} s`);
  const window = windowFor(plan, pairs);
  for (const frameBytes of sizes) {
    const m = await gen.ask(
      {
        kind: 'measure',
        target,
        serverPids: await pidsOf(sides, target),
        frameBytes,
        window,
        warmup: plan.warmup,
        max: plan.max,
        paced: plan.paced,
        loadFactor: plan.loadFactor,
      },
      'measured',
    );
    samples.push({ repetition: rep, target, pairs, fanout: 1, frameBytes, window, ...m });
    const problems = Object.entries(m.problems).map(([k, v]) => `${k}×${v}`);
    progress(
      `  ${rep === 0 ? 'warm-up' : `rep ${rep}`} K=${pairs} ${frameBytes} B ${target.padEnd(6)}: ${Math.round(m.max.rate)} msg/s, ` +
        `server ${(m.max.serverCpuSeconds / m.max.seconds).toFixed(2)} cores, gen ${(m.max.generatorCpuSeconds / m.max.seconds).toFixed(2)}, ` +
        `p50/p99 ${m.latency.p50Ms.toFixed(2)}/${m.latency.p99Ms.toFixed(2)} ms at ${Math.round(m.latency.offeredRate)} msg/s` +
        (problems.length === 0 ? '' : `, problems: ${problems.join(' ')}`),
    );
  }
  await gen.ask({ kind: 'disconnect' }, 'disconnected');
}

/** Rotates the three sides so that each goes first, second and last in turn. */
function orderFor(rep: number): ClusterTarget[] {
  const all: ClusterTarget[] = ['sqlite', 'pg1', 'pg2'];
  const shift = rep % all.length;
  return [...all.slice(shift), ...all.slice(0, shift)];
}

export async function clusterPhase(
  gen: GeneratorChannel,
  plan: BenchPlan,
  relayNodeOptions: readonly string[],
): Promise<CellSample[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sealdesk-bench-'));
  let sqlite: { child: Child; origin: string; wsUrl: string } | undefined;
  let pgCluster: PgCluster | undefined;
  try {
    sqlite = await startRelay(dataDir, relayNodeOptions, {}, 'relay (SQLite)');
    pgCluster = await startPgCluster(relayNodeOptions, 2);
    const sides: Sides = { sqlite, pg: pgCluster };
    progress(
      `SQLite relay pid ${sqlite.child.pid}; PostgreSQL nodes ${pgCluster.nodes.map((n) => n.child.pid).join(', ')} on database ${pgCluster.database}`,
    );
    const maxPairs = Math.max(...plan.pairs, plan.warmupPairs);
    for (const [population, origin] of [
      ['sqlite', sqlite.origin],
      ['pg', pgCluster.nodes[0]?.origin ?? ''],
    ] as const) {
      const p = await gen.ask(
        { kind: 'provision', origin, devices: maxPairs, visitors: maxPairs, population },
        'provisioned',
      );
      progress(
        `${population} provisioned (${p.accounts} accounts, ${maxPairs} devices and conversations) in ${p.seconds.toFixed(1)} s`,
      );
    }
    for (const target of orderFor(0))
      await measureTarget(gen, sides, plan, 0, target, plan.warmupPairs, plan.frameBytes.slice(0, 1), []);
    const samples: CellSample[] = [];
    for (let rep = 1; rep <= plan.repetitions; rep++) {
      for (const pairs of plan.pairs) {
        for (const target of orderFor(rep))
          await measureTarget(gen, sides, plan, rep, target, pairs, plan.frameBytes, samples);
      }
    }
    return samples;
  } finally {
    if (sqlite !== undefined) await stop(sqlite.child);
    await pgCluster?.stop(stop);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
