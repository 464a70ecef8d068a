/**
 * The vector rng (docs/PROTOCOL.md §18.1): per party, `rng(n)` returns the first n bytes of
 * block(c) || block(c+1) || … with block(i) = SHA-256(utf8(seed + "/" + i)), one fresh block per
 * started 32 bytes; the counter c starts at 0 and moves past every block a call touched, so the
 * rest of a block is never used. Reproducible, NOT for production.
 *
 * Every draw is logged (block index, length, the step that drew it), so the vectors can show each
 * party's draw order and an independent check can find the seed behind any key.
 */
import { createHash } from 'node:crypto';
import type { ProtocolEnv } from '../../shared/protocol/index.js';

export const RNG_DEFINITION =
  'rng(n) = the first n bytes of block(c) || block(c+1) || …, block(i) = SHA-256(utf8(seed + "/" + decimal(i))); ' +
  'c starts at 0 per party and moves past every block a call used (one fresh block per started 32 bytes, the rest of a block is discarded); rng(0) uses no block';

export const RNG_BLOCK_BYTES = 32;

/** One rng call: the first block it used, how many bytes it returned, and the script step that made it. */
export interface Draw {
  readonly block: number;
  readonly bytes: number;
  readonly step: string;
}

/** The bytes of one rng block (also used by the independent checks' description of the rng). */
export function rngBlock(seed: string, index: number): Uint8Array {
  return new Uint8Array(createHash('sha256').update(`${seed}/${index}`).digest());
}

/** A clock the script moves (never backwards). */
export interface VectorClock {
  readonly now: () => number;
  readonly set: (ms: number) => void;
}

export function vectorClock(startMs: number): VectorClock {
  let t = startMs;
  return {
    now: () => t,
    set: (ms: number) => {
      if (ms < t) throw new Error(`the vector clock cannot go back from ${t} to ${ms}`);
      t = ms;
    },
  };
}

/** One party's env: the seeded rng with its draw log, and the shared clock. */
export interface RecordingEnv {
  readonly env: ProtocolEnv;
  readonly draws: readonly Draw[];
  /** Names the script step that the next draws belong to. */
  readonly setStep: (step: string) => void;
}

export function recordingEnv(seed: string, clock: VectorClock): RecordingEnv {
  let counter = 0;
  let step = 'setup';
  const draws: Draw[] = [];
  const rng = (length: number): Uint8Array => {
    const out = new Uint8Array(length);
    const first = counter;
    for (let offset = 0; offset < length; offset += RNG_BLOCK_BYTES) {
      const block = rngBlock(seed, counter++);
      out.set(block.subarray(0, Math.min(RNG_BLOCK_BYTES, length - offset)), offset);
    }
    draws.push({ block: first, bytes: length, step });
    return out;
  };
  return {
    env: { rng, now: clock.now },
    draws,
    setStep: (name: string) => {
      step = name;
    },
  };
}
