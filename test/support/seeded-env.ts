/**
 * Deterministic ProtocolEnvs for tests (docs/PROTOCOL.md §1: rng and clock are injected so runs are
 * reproducible). Neither generator is cryptographic; each exists only so a run makes the same keys
 * and bytes every time.
 * - `seededEnv(seed, clock)` (here): xoshiro128** seeded through splitmix32, on a ManualClock shared
 *   by a whole world (the attack suite, protocol worlds). Portable: the browser suites bundle it.
 * - `hashSeededEnv(seed, start)` (hash-seeded-env.ts, Node only: it hashes with node:crypto):
 *   SHA-256(seed/counter) blocks, with a clock of its own (attachments, the archive key, linking,
 *   their scenarios). Its byte stream is the one those tests were written against; the two are not
 *   interchangeable.
 */
import type { RandomSource } from '../../shared/crypto/index.js';
import type { ProtocolEnv } from '../../shared/protocol/index.js';

/** 2026-11-27T12:00:00Z: a fixed "now" for every world. */
export const WORLD_EPOCH_MS = Date.UTC(2026, 10, 27, 12, 0, 0);

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

function seedNumber(seed: string | number): number {
  if (typeof seed === 'number') return seed >>> 0;
  let h = 0x811c9dc5; // FNV-1a over the label
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** A reproducible byte source: the same seed always yields the same stream. */
export function seededRandom(seed: string | number): RandomSource {
  const init = splitmix32(seedNumber(seed));
  const s = [init(), init(), init(), init()];
  const rotl = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;
  const next = (): number => {
    const [s0 = 0, s1 = 0, s2 = 0, s3 = 0] = s;
    const result = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    const n2 = (s2 ^ s0) >>> 0;
    const n3 = (s3 ^ s1) >>> 0;
    const n1 = (s1 ^ n2) >>> 0;
    const n0 = (s0 ^ n3) >>> 0;
    s[0] = n0;
    s[1] = n1;
    s[2] = (n2 ^ t) >>> 0;
    s[3] = rotl(n3, 11);
    return result;
  };
  return (length: number): Uint8Array => {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i += 4) {
      const word = next();
      for (let j = 0; j < 4 && i + j < length; j++) out[i + j] = (word >>> (8 * j)) & 0xff;
    }
    return out;
  };
}

/** A clock that stands still until the test moves it. */
export interface ManualClock {
  readonly now: () => number;
  readonly advance: (ms: number) => void;
}

export function manualClock(start: number = WORLD_EPOCH_MS): ManualClock {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

/** A ProtocolEnv with its own seeded rng and a shared manual clock. */
export function seededEnv(seed: string | number, clock: ManualClock): ProtocolEnv {
  return { rng: seededRandom(seed), now: clock.now };
}
