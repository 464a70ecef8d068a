/** What a benchmark run measures: the full plan (`npm run bench`) and the smoke plan (`--quick`). */
import type { RunLimits } from './runs.js';

export interface BenchPlan {
  readonly name: 'full' | 'quick';
  readonly repetitions: number;
  readonly pairs: readonly number[];
  readonly frameBytes: readonly number[];
  readonly fanout: { readonly receivers: number; readonly frameBytes: number };
  /** Pairs of the discarded warm-up group that runs before the first repetition. */
  readonly warmupPairs: number;
  readonly idleConnections: number;
  readonly idleSettleMs: number;
  readonly loadFactor: number;
  /** Total frames in flight the closed loop aims for; each sender gets max(2, ceil(this / senders)). */
  readonly inFlightTarget: number;
  readonly warmup: RunLimits;
  readonly max: RunLimits;
  readonly paced: RunLimits;
}

export const FULL_PLAN: BenchPlan = {
  name: 'full',
  repetitions: 3,
  pairs: [1, 100, 1000],
  frameBytes: [256, 4096],
  fanout: { receivers: 5, frameBytes: 256 },
  warmupPairs: 10,
  idleConnections: 10_000,
  idleSettleMs: 1_500,
  loadFactor: 0.5,
  inFlightTarget: 256,
  warmup: { maxMessages: 100_000, maxMs: 250, drainMs: 3_000 },
  max: { maxMessages: 200_000, maxMs: 1_500, drainMs: 5_000 },
  paced: { maxMessages: 100_000, maxMs: 1_200, drainMs: 5_000, settleMs: 500 },
};

export const QUICK_PLAN: BenchPlan = {
  name: 'quick',
  repetitions: 1,
  pairs: [1, 10, 100],
  frameBytes: [256, 4096],
  fanout: { receivers: 5, frameBytes: 256 },
  warmupPairs: 10,
  idleConnections: 1_000,
  idleSettleMs: 750,
  loadFactor: 0.5,
  inFlightTarget: 256,
  warmup: { maxMessages: 50_000, maxMs: 200, drainMs: 3_000 },
  max: { maxMessages: 100_000, maxMs: 800, drainMs: 5_000 },
  paced: { maxMessages: 50_000, maxMs: 700, drainMs: 5_000, settleMs: 300 },
};

export function windowFor(plan: BenchPlan, senders: number): number {
  return Math.max(2, Math.ceil(plan.inFlightTarget / senders));
}
