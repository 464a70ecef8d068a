/**
 * Finds the rng draw behind a public key (docs/PROTOCOL.md §18.1): every private key of the
 * vectors is a 32-byte draw of its party's rng, so the generator can recompute DH outputs from
 * the seeds instead of reading private keys (they are non-extractable CryptoKeys).
 */
import { constantTimeEqual, x25519KeyPairFromSeed, type X25519KeyPair } from '../../shared/crypto/index.js';
import { type RecordingEnv, RNG_BLOCK_BYTES, rngBlock } from './rng.js';

export interface SeededKey {
  readonly block: number;
  readonly keyPair: X25519KeyPair;
}

export class SeedBook {
  private readonly cache = new Map<string, SeededKey[]>();

  constructor(private readonly parties: ReadonlyMap<string, { readonly seed: string; readonly env: RecordingEnv }>) {}

  private async keysOf(party: string): Promise<SeededKey[]> {
    const known = this.cache.get(party);
    const entry = this.parties.get(party);
    if (entry === undefined) throw new Error(`no rng for party ${party}`);
    const draws = entry.env.draws.filter((d) => d.bytes === RNG_BLOCK_BYTES);
    if (known?.length === draws.length) return known;
    const keys = await Promise.all(
      draws.map(async (d) => ({ block: d.block, keyPair: await x25519KeyPairFromSeed(rngBlock(entry.seed, d.block)) })),
    );
    this.cache.set(party, keys);
    return keys;
  }

  /** The draw of `party` whose X25519 public key is `publicKey`. */
  async x25519(party: string, publicKey: Uint8Array): Promise<SeededKey> {
    const found = (await this.keysOf(party)).find((k) => constantTimeEqual(k.keyPair.publicKey, publicKey));
    if (found === undefined) throw new Error(`no draw of ${party} gives this X25519 key`);
    return found;
  }

  /** The key of the draw of `party` that starts at `block`. */
  async x25519AtBlock(party: string, block: number): Promise<SeededKey> {
    const found = (await this.keysOf(party)).find((k) => k.block === block);
    if (found === undefined) throw new Error(`${party} drew no 32-byte seed at block ${block}`);
    return found;
  }
}
