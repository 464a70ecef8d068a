/**
 * `hashSeededEnv`: a reproducible ProtocolEnv for Node tests (see seeded-env.ts for the portable
 * one and why there are two). Node only: it hashes with node:crypto, so the browser suites, which
 * bundle seeded-env.ts, must not import it.
 */
import { createHash } from 'node:crypto';
import type { ProtocolEnv } from '../../shared/protocol/index.js';

/** A ProtocolEnv with its own clock (hashSeededEnv). */
export interface AdvancingEnv extends ProtocolEnv {
  readonly advance: (ms: number) => void;
}

/** A reproducible ProtocolEnv with its own clock: randomness from SHA-256(seed || "/" || counter). */
export function hashSeededEnv(seed: string, startMs = 1_800_000_000_000): AdvancingEnv {
  let counter = 0;
  let clock = startMs;
  const rng = (length: number): Uint8Array => {
    const out = new Uint8Array(length);
    for (let offset = 0; offset < length; offset += 32) {
      const block = createHash('sha256').update(`${seed}/${counter++}`).digest();
      out.set(block.subarray(0, Math.min(32, length - offset)), offset);
    }
    return out;
  };
  return {
    rng,
    now: () => clock,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}
