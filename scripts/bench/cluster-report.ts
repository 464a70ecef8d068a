/**
 * The summary and printed table of `npm run bench -- --cluster`: medians per (pairs, frame size)
 * and side, the ratios between sides and the two targets, checked against the medians.
 */
import type { ClusterTarget } from './ipc.js';
import { type CellSample, type SideSummary, type TargetCheck, fmt, side } from './results.js';
import { type BenchMachine, num, table } from './report.js';
import { ratio } from './stats.js';

export interface ClusterRow {
  readonly pairs: number;
  readonly frameBytes: number;
  readonly sides: Readonly<Record<ClusterTarget, SideSummary>>;
  /** Two nodes over one (msg/s), one PostgreSQL node over the SQLite relay (msg/s). */
  readonly twoOverOne: number;
  readonly pgOverSqlite: number;
  /** Cross-node p99 minus one node's p99 at 50% load, ms. */
  readonly crossNodeP99DeltaMs: number;
}

export interface ClusterReport {
  readonly repetitions: number;
  readonly startedAt: string;
  readonly seconds: number;
  readonly machine: BenchMachine;
  readonly rows: readonly ClusterRow[];
  readonly targets: readonly TargetCheck[];
}

const TARGET_PAIRS = 1000;
const TWO_NODE_TARGET = 1.5;
const CROSS_NODE_P99_MS = 10;

export function summariseCluster(samples: readonly CellSample[]): ClusterRow[] {
  const keys = [...new Set(samples.map((s) => `${s.pairs}|${s.frameBytes}`))];
  return keys.map((key) => {
    const [pairs, frameBytes] = key.split('|').map(Number) as [number, number];
    const of = (target: ClusterTarget): SideSummary =>
      side(samples.filter((s) => s.target === target && s.pairs === pairs && s.frameBytes === frameBytes));
    const sides = { sqlite: of('sqlite'), pg1: of('pg1'), pg2: of('pg2') };
    return {
      pairs,
      frameBytes,
      sides,
      twoOverOne: ratio(sides.pg2.msgsPerSecond, sides.pg1.msgsPerSecond),
      pgOverSqlite: ratio(sides.pg1.msgsPerSecond, sides.sqlite.msgsPerSecond),
      crossNodeP99DeltaMs: sides.pg2.p99Ms - sides.pg1.p99Ms,
    };
  });
}

export function checkClusterTargets(rows: readonly ClusterRow[]): TargetCheck[] {
  const at = rows.filter((r) => r.pairs === TARGET_PAIRS);
  return [
    {
      target: `two PostgreSQL nodes >= ${TWO_NODE_TARGET}x one node's messages/s at ${TARGET_PAIRS} pairs`,
      measured:
        at.length === 0
          ? `not measured (no ${TARGET_PAIRS}-pair run)`
          : at.map((r) => `${r.frameBytes} B: ${fmt(r.twoOverOne)}x`).join(', '),
      met: at.length === 0 ? null : at.every((r) => r.twoOverOne >= TWO_NODE_TARGET),
    },
    {
      target: `cross-node p99 at 50% load <= one node's p99 + ${CROSS_NODE_P99_MS} ms (every row)`,
      measured: rows
        .map(
          (r) =>
            `K=${r.pairs} ${r.frameBytes} B: ${r.crossNodeP99DeltaMs >= 0 ? '+' : ''}${fmt(r.crossNodeP99DeltaMs)} ms`,
        )
        .join(', '),
      met: rows.length === 0 ? null : rows.every((r) => r.crossNodeP99DeltaMs <= CROSS_NODE_P99_MS),
    },
  ];
}

export function renderCluster(report: ClusterReport): string {
  const m = report.machine;
  const out = [
    `Sealdesk relay cluster benchmark — ${report.repetitions} repetition(s), medians; node ${m.node}, ${m.cpus} CPUs, ${num(report.seconds)} s`,
    `load average (1 min) at start ${num(m.loadAverageStart[0] ?? Number.NaN, 2)}, at end ${num(m.loadAverageEnd[0] ?? Number.NaN, 2)}` +
      ((m.loadAverageStart[0] ?? 0) > m.cpus || (m.loadAverageEnd[0] ?? 0) > m.cpus
        ? ' — the machine was busy with other work: figures are noisy, compare the ratios'
        : ''),
    '',
  ];
  const sides: readonly ClusterTarget[] = ['sqlite', 'pg1', 'pg2'];
  out.push(
    ...table(
      ['K', 'frame', 'side', 'msg/s', 'dlv/CPU-s', 'µs CPU/msg', 'server cores', 'gen cores', 'p50/p99 ms', 'problems'],
      report.rows.flatMap((r) =>
        sides.map((name) => {
          const s = r.sides[name];
          return [
            String(r.pairs),
            `${r.frameBytes} B`,
            name,
            num(s.msgsPerSecond),
            num(s.deliveriesPerServerCpuSecond),
            num(s.serverCpuMicrosPerMessage, 1),
            num(s.serverCores, 2),
            num(s.generatorCores, 2),
            `${num(s.p50Ms, 2)} / ${num(s.p99Ms, 2)}`,
            String(s.problems),
          ];
        }),
      ),
    ),
    '',
    ...table(
      ['K', 'frame', 'ratio', 'pg2/pg1 msg/s', 'pg1/sqlite msg/s', 'pg2 p99 − pg1 p99'],
      report.rows.map((r) => [
        String(r.pairs),
        `${r.frameBytes} B`,
        '',
        num(r.twoOverOne, 2),
        num(r.pgOverSqlite, 2),
        `${num(r.crossNodeP99DeltaMs, 2)} ms`,
      ]),
    ),
    '',
    'Targets:',
    ...report.targets.map(
      (t) => `  [${t.met === null ? 'NOT MEASURED' : t.met ? 'met' : 'MISSED'}] ${t.target}: ${t.measured}`,
    ),
    '',
    'note: sqlite = the relay on its SQLite file; pg1 = one relay node on PostgreSQL with every client (a second node idles);',
    'note: pg2 = two nodes on one database with NATS between them, each sender on one node and its receiver on the other.',
    'note: server cores / dlv/CPU-s count the relay processes and the PostgreSQL backends of the database; all sides share',
    `note: the machine's ${m.cpus} CPUs with the load generator ("gen cores") and with PostgreSQL's own background processes.`,
  );
  return `${out.join('\n')}\n`;
}
