/**
 * Device sign-in challenges kept in the shared store (single_use), so that a device may ask one
 * node for a challenge and sign in on another. Same rules as auth/challenges.ts: bound to one
 * (account, device), single use (taken by one DELETE), a minute. A challenge is not a secret:
 * the store holds it as it is.
 */
import type { Challenges } from '../context.js';
import type { SharedStore } from '../store/store.js';
import { randomSecret, toBase64Url } from '../auth/tokens.js';

const TTL_MS = 60_000;
const KIND = 'challenge';

export class SharedChallenges implements Challenges {
  readonly #store: SharedStore;

  constructor(store: SharedStore) {
    this.#store = store;
  }

  async issue(owner: string, now: number): Promise<Uint8Array> {
    const challenge = randomSecret();
    await this.#store.putSingleUse(KIND, toBase64Url(challenge), new TextEncoder().encode(owner), now + TTL_MS);
    return challenge;
  }

  async consume(challenge: Uint8Array, owner: string, now: number): Promise<boolean> {
    const stored = await this.#store.takeSingleUse(KIND, toBase64Url(challenge), now);
    return stored !== undefined && new TextDecoder().decode(stored) === owner;
  }
}
