/**
 * Reconnect delays: exponential backoff with full jitter ("Exponential Backoff And Jitter",
 * AWS Architecture Blog, 2015): a uniform delay in [0, min(maxMs, initialMs · 2^attempt)), so
 * clients that lost the relay together do not come back together. Randomness is injected.
 */
import type { RandomSource } from '../../crypto/index.js';

export interface BackoffPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
}

export function backoffDelay(attempt: number, policy: BackoffPolicy, rng: RandomSource): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(Math.max(attempt, 0), 30));
  const r = rng(4);
  const u = (((r[0] ?? 0) << 24) | ((r[1] ?? 0) << 16) | ((r[2] ?? 0) << 8) | (r[3] ?? 0)) >>> 0;
  return Math.floor((u / 2 ** 32) * ceiling);
}
