/**
 * A reproducible ProtocolEnv for tests of attachments, the archive key and device linking:
 * randomness from SHA-256(seed || counter) (deterministic, not for production) and a clock that
 * only moves when the test advances it.
 */
import { createHash } from 'node:crypto';
import type { ProtocolEnv } from '../../shared/protocol/index.js';

export interface TestEnv extends ProtocolEnv {
  readonly advance: (ms: number) => void;
}

export function hashSeededEnv(seed: string, startMs = 1_800_000_000_000): TestEnv {
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
