/**
 * Seeded byte mutation for the fuzz tests (issue #16 item 5). Every run prints its seed; set
 * SEALDESK_FUZZ_SEED to replay a run exactly (case i of a run always draws the same mutation).
 * Mutations: bit flips, truncation, extension, length-field edits (interesting big-endian values
 * written over 1, 2 or 4 bytes), byte insertion/deletion and splicing two captured inputs; one to
 * three of them stacked.
 */

/** A small, fast, seeded generator (mulberry32): the same seed gives the same stream everywhere. */
export class FuzzRng {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A uint32. */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return n <= 0 ? 0 : this.next() % n;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.below(items.length)];
    if (item === undefined) throw new RangeError('pick from an empty list');
    return item;
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.next() & 0xff;
    return out;
  }
}

/** The run's seed: SEALDESK_FUZZ_SEED if set, else a fresh one. Printed so that a failure can be replayed. */
export function fuzzSeed(name: string): number {
  const given = process.env['SEALDESK_FUZZ_SEED'];
  const seed =
    given === undefined || given === '' ? (crypto.getRandomValues(new Uint32Array(1))[0] ?? 0) : Number(given) >>> 0;
  console.log(`[fuzz] ${name}: seed ${seed} (replay with SEALDESK_FUZZ_SEED=${seed})`);
  return seed;
}

/** The rng of case `index` of a run: cases are independent, so one case replays on its own. */
export function caseRng(seed: number, index: number): FuzzRng {
  return new FuzzRng((Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(index + 1, 0xc2b2ae35)) >>> 0);
}

const INTERESTING = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0xffffffff];

export type MutationName = 'bit-flip' | 'truncate' | 'extend' | 'length-edit' | 'insert' | 'delete' | 'splice';
export const MUTATIONS: readonly MutationName[] = [
  'bit-flip',
  'truncate',
  'extend',
  'length-edit',
  'insert',
  'delete',
  'splice',
];

function writeBigEndian(out: Uint8Array, at: number, width: number, value: number): void {
  for (let i = 0; i < width && at + i < out.length; i++) {
    out[at + i] = Math.floor(value / 2 ** (8 * (width - 1 - i))) & 0xff;
  }
}

/** One mutation of `input`; `corpus` supplies the other half of a splice. */
export function mutateOnce(
  rng: FuzzRng,
  input: Uint8Array,
  name: MutationName,
  corpus: readonly Uint8Array[],
): Uint8Array {
  const len = input.length;
  switch (name) {
    case 'bit-flip': {
      const out = input.slice();
      if (len === 0) return rng.bytes(1);
      for (let k = 1 + rng.below(4); k > 0; k--) {
        const at = rng.below(len);
        out[at] = (out[at] ?? 0) ^ (1 << rng.below(8));
      }
      return out;
    }
    case 'truncate':
      return input.slice(0, rng.below(len));
    case 'extend': {
      // Mostly a few bytes, sometimes up to 2 KiB, rarely past the 64 KiB frame and blob caps (§14).
      const roll = rng.below(256);
      const size = roll === 0 ? 60_000 + rng.below(10_000) : roll < 64 ? 1 + rng.below(2048) : 1 + rng.below(16);
      const extra = rng.bytes(size);
      const out = new Uint8Array(len + extra.length);
      out.set(input);
      out.set(extra, len);
      return out;
    }
    case 'length-edit': {
      const out = input.slice();
      if (len === 0) return out;
      const width = rng.pick([1, 2, 4]);
      // Length and count fields sit mostly near the start of a structure: favour the first 40 bytes.
      const at = rng.below(2) === 0 ? rng.below(Math.min(len, 40)) : rng.below(len);
      const value = rng.below(3) === 0 ? len + rng.below(5) - 2 : rng.pick(INTERESTING);
      writeBigEndian(out, at, width, Math.max(0, value));
      return out;
    }
    case 'insert': {
      const at = rng.below(len + 1);
      const extra = rng.bytes(1 + rng.below(8));
      const out = new Uint8Array(len + extra.length);
      out.set(input.subarray(0, at));
      out.set(extra, at);
      out.set(input.subarray(at), at + extra.length);
      return out;
    }
    case 'delete': {
      if (len === 0) return input.slice();
      const at = rng.below(len);
      const n = 1 + rng.below(Math.min(8, len - at));
      const out = new Uint8Array(len - n);
      out.set(input.subarray(0, at));
      out.set(input.subarray(at + n), at);
      return out;
    }
    case 'splice': {
      const other = corpus.length === 0 ? input : rng.pick(corpus);
      const cut = rng.below(len + 1);
      const from = rng.below(other.length + 1);
      const out = new Uint8Array(cut + other.length - from);
      out.set(input.subarray(0, cut));
      out.set(other.subarray(from), cut);
      return out;
    }
  }
}

/** One to three stacked mutations; the result always differs from `input`. */
export function mutate(
  rng: FuzzRng,
  input: Uint8Array,
  corpus: readonly Uint8Array[] = [],
): { bytes: Uint8Array; steps: MutationName[] } {
  for (;;) {
    let bytes = input;
    const steps: MutationName[] = [];
    for (let k = 1 + rng.below(3); k > 0; k--) {
      const name = rng.pick(MUTATIONS);
      steps.push(name);
      bytes = mutateOnce(rng, bytes, name, corpus);
    }
    if (!sameBytes(bytes, input)) return { bytes, steps };
  }
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
