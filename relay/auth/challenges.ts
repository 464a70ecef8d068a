/**
 * Single-use challenges for device authentication over HTTP (POST /v1/auth/device/challenge then
 * /v1/auth/device/session). Each is bound to one (account, device), expires after a minute and is
 * deleted when used, so a signature can never be replayed.
 */
import { randomSecret, toBase64Url } from './tokens.js';

const TTL_MS = 60_000;
const MAX_PENDING = 10_000;

export class ChallengeBook {
  readonly #pending = new Map<string, { readonly owner: string; readonly expires: number }>();

  /**
   * Undefined when MAX_PENDING are live: a pending challenge is never evicted before its minute
   * (issue #10 item 8: a flood used to push out other devices' challenges). The per-address and
   * per-device budgets (http/auth-routes.ts) keep one client far below the cap.
   */
  issue(owner: string, now: number): Uint8Array | undefined {
    this.#sweep(now);
    if (this.#pending.size >= MAX_PENDING) return undefined;
    const challenge = randomSecret();
    this.#pending.set(toBase64Url(challenge), { owner, expires: now + TTL_MS });
    return challenge;
  }

  /** True once for a live challenge issued to `owner`; the challenge is gone afterwards. */
  consume(challenge: Uint8Array, owner: string, now: number): boolean {
    const key = toBase64Url(challenge);
    const entry = this.#pending.get(key);
    this.#pending.delete(key);
    return entry?.owner === owner && entry.expires > now;
  }

  /** Entries are in issue order and all live TTL_MS, so the expired ones are at the front. */
  #sweep(now: number): void {
    for (const [key, entry] of this.#pending) {
      if (entry.expires > now) return;
      this.#pending.delete(key);
    }
  }
}
