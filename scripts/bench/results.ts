/**
 * Raw samples of a benchmark run and their summary: medians over repetitions per
 * (pairs, fan-out, frame size) and side, the ratio relay/bare, and the targets checked
 * against the medians (never assumed).
 */
import type { LatencySummary, MaxSummary, Target } from './ipc.js';
import { median, range, ratio } from './stats.js';

export interface CellSample {
  readonly repetition: number;
  readonly target: Target;
  readonly pairs: number;
  readonly fanout: number;
  readonly frameBytes: number;
  readonly window: number;
  readonly max: MaxSummary;
  readonly latency: LatencySummary;
  readonly problems: Readonly<Record<string, number>>;
}

export interface IdleSample {
  readonly target: Target;
  readonly connections: number;
  readonly rssBefore: number;
  readonly rssAfter: number;
  /** (RSS after − RSS before) / connections: the definition. */
  readonly bytesPerConnection: number;
  /** RSS slope over the second half of the connections (excludes one-time heap growth). */
  readonly marginalBytesPerConnection: number;
  readonly problems: Readonly<Record<string, number>>;
}

export interface SideSummary {
  readonly samples: number;
  readonly msgsPerSecond: number;
  readonly msgsPerSecondMin: number;
  readonly msgsPerSecondMax: number;
  readonly deliveriesPerServerCpuSecond: number;
  readonly serverCpuMicrosPerMessage: number;
  /** CPU cores the server and the generator used during the max-rate run. */
  readonly serverCores: number;
  readonly generatorCores: number;
  readonly offeredRate: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly problems: number;
}

export interface SummaryRow {
  readonly pairs: number;
  readonly fanout: number;
  readonly frameBytes: number;
  readonly bare: SideSummary;
  readonly relay: SideSummary;
  readonly ratio: { readonly msgsPerSecond: number; readonly deliveriesPerCpuSecond: number };
}

export interface TargetCheck {
  readonly target: string;
  readonly measured: string;
  /** null when this run did not measure it (e.g. --quick has no 1,000-pair row). */
  readonly met: boolean | null;
}

export function side(samples: readonly CellSample[]): SideSummary {
  const rates = samples.map((s) => s.max.rate);
  const { min, max } = range(rates);
  return {
    samples: samples.length,
    msgsPerSecond: median(rates),
    msgsPerSecondMin: min,
    msgsPerSecondMax: max,
    deliveriesPerServerCpuSecond: median(samples.map((s) => ratio(s.max.delivered, s.max.serverCpuSeconds))),
    serverCpuMicrosPerMessage: median(samples.map((s) => ratio(s.max.serverCpuSeconds * 1e6, s.max.delivered))),
    serverCores: median(samples.map((s) => ratio(s.max.serverCpuSeconds, s.max.seconds))),
    generatorCores: median(samples.map((s) => ratio(s.max.generatorCpuSeconds, s.max.seconds))),
    offeredRate: median(samples.map((s) => s.latency.offeredRate)),
    p50Ms: median(samples.map((s) => s.latency.p50Ms)),
    p99Ms: median(samples.map((s) => s.latency.p99Ms)),
    problems: samples.reduce(
      (n, s) =>
        n +
        Object.values(s.problems).reduce((a, b) => a + b, 0) +
        (s.max.sent - s.max.delivered) +
        (s.latency.sent - s.latency.delivered),
      0,
    ),
  };
}

export function summarise(samples: readonly CellSample[]): SummaryRow[] {
  const keys = [...new Set(samples.map((s) => `${s.fanout}|${s.pairs}|${s.frameBytes}`))];
  return keys.map((key) => {
    const [fanout, pairs, frameBytes] = key.split('|').map(Number) as [number, number, number];
    const of = (target: Target): CellSample[] =>
      samples.filter(
        (s) => s.target === target && s.pairs === pairs && s.fanout === fanout && s.frameBytes === frameBytes,
      );
    const bare = side(of('bare'));
    const relay = side(of('relay'));
    return {
      pairs,
      fanout,
      frameBytes,
      bare,
      relay,
      ratio: {
        msgsPerSecond: ratio(relay.msgsPerSecond, bare.msgsPerSecond),
        deliveriesPerCpuSecond: ratio(relay.deliveriesPerServerCpuSecond, bare.deliveriesPerServerCpuSecond),
      },
    };
  });
}

const TARGET_PAIRS = 1000;
const P99_TARGET_RATIO = 2;
const IDLE_TARGET_BYTES = 9 * 1024;
const IDLE_TARGET_CONNECTIONS = 10_000;

export const fmt = (n: number, digits = 2): string => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

export function checkTargets(rows: readonly SummaryRow[], idle: readonly IdleSample[]): TargetCheck[] {
  const at1000 = rows.filter((r) => r.pairs === TARGET_PAIRS && r.fanout === 1);
  const notMeasured = `not measured (no ${TARGET_PAIRS}-pair run; use the full run)`;
  const checks: TargetCheck[] = [];
  checks.push({
    target: `relay/bare deliveries per server CPU-second >= 0.6 at ${TARGET_PAIRS} pairs`,
    measured:
      at1000.length === 0
        ? notMeasured
        : at1000.map((r) => `${r.frameBytes} B: ${fmt(r.ratio.deliveriesPerCpuSecond)}`).join(', '),
    met: at1000.length === 0 ? null : at1000.every((r) => r.ratio.deliveriesPerCpuSecond >= 0.6),
  });
  checks.push({
    target: `relay/bare messages/s >= 0.5 at ${TARGET_PAIRS} pairs`,
    measured:
      at1000.length === 0
        ? notMeasured
        : at1000.map((r) => `${r.frameBytes} B: ${fmt(r.ratio.msgsPerSecond)}`).join(', '),
    met: at1000.length === 0 ? null : at1000.every((r) => r.ratio.msgsPerSecond >= 0.5),
  });
  // Issue 14, item 5: the bare forwarder itself misses an absolute 10 ms on these machines, so the
  // target is the ratio to the bare p99 of the same run.
  const p99Ratio = (r: SummaryRow): number => ratio(r.relay.p99Ms, r.bare.p99Ms);
  const worst = [...rows].sort((a, b) => p99Ratio(b) - p99Ratio(a))[0];
  checks.push({
    target: `relay p99 latency at 50% of its max rate <= ${P99_TARGET_RATIO}x the bare p99 of the same run (every row)`,
    measured:
      worst === undefined
        ? 'no rows'
        : `worst ${fmt(p99Ratio(worst))}x: ${fmt(worst.relay.p99Ms)} ms against ${fmt(worst.bare.p99Ms)} ms (K=${worst.pairs}, fan-out ${worst.fanout}, ${worst.frameBytes} B)`,
    met: worst === undefined ? null : rows.every((r) => p99Ratio(r) <= P99_TARGET_RATIO),
  });
  // The target is defined at 10,000 connections: with fewer, one-time heap growth dominates.
  const relayIdle = idle.find((i) => i.target === 'relay');
  const idleCounts = relayIdle !== undefined && relayIdle.connections >= IDLE_TARGET_CONNECTIONS;
  checks.push({
    target: `relay idle memory <= 9 KiB per connection at ${IDLE_TARGET_CONNECTIONS.toLocaleString('en-US')} connections`,
    measured:
      relayIdle === undefined
        ? 'not measured'
        : `${fmt(relayIdle.bytesPerConnection / 1024)} KiB at ${relayIdle.connections} connections${idleCounts ? '' : ' (indicative only: fewer connections than the target needs)'}`,
    met: relayIdle === undefined || !idleCounts ? null : relayIdle.bytesPerConnection <= IDLE_TARGET_BYTES,
  });
  return checks;
}
