/** Two small in-memory limiters: a fixed window per key (per hour) and a token bucket (per second). */

/** Keys a WindowCounter remembers at most (a few MiB); beyond, the oldest window is forgotten. */
export const WINDOW_COUNTER_MAX_KEYS = 100_000;

/**
 * At most `limit` events per key per window; used for conversations per visitor address per hour.
 * Windows are kept in the order they started (a key whose window restarts moves to the end), so
 * expired ones are dropped from the front in O(expired) and memory stays bounded by `maxKeys`.
 */
export class WindowCounter {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #maxKeys: number;
  readonly #counts = new Map<string, { start: number; count: number }>();

  constructor(limit: number, windowMs: number, maxKeys = WINDOW_COUNTER_MAX_KEYS) {
    this.#limit = limit;
    this.#windowMs = windowMs;
    this.#maxKeys = maxKeys;
  }

  /** Keys currently remembered, for tests and diagnostics. */
  get size(): number {
    return this.#counts.size;
  }

  /** Whether the key has used its `limit` in its current window (nothing is counted). */
  exhausted(key: string, now: number): boolean {
    const entry = this.#counts.get(key);
    return entry !== undefined && now - entry.start < this.#windowMs && entry.count >= this.#limit;
  }

  /** Milliseconds until the key's current window ends (0 when it has none): the Retry-After of a refusal. */
  retryAfterMs(key: string, now: number): number {
    const entry = this.#counts.get(key);
    return entry === undefined ? 0 : Math.max(0, entry.start + this.#windowMs - now);
  }

  /** Counts one event; false (and not counted) when the key is over its limit. */
  take(key: string, now: number): boolean {
    const entry = this.#counts.get(key);
    if (entry !== undefined && now - entry.start < this.#windowMs) {
      if (entry.count >= this.#limit) return false;
      entry.count += 1;
      return true;
    }
    this.#counts.delete(key);
    this.#dropExpired(now);
    if (this.#counts.size >= this.#maxKeys) {
      const oldest = this.#counts.keys().next();
      if (oldest.done !== true) this.#counts.delete(oldest.value);
    }
    this.#counts.set(key, { start: now, count: 1 });
    return true;
  }

  #dropExpired(now: number): void {
    for (const [key, entry] of this.#counts) {
      if (now - entry.start < this.#windowMs) return;
      this.#counts.delete(key);
    }
  }
}

/** `rate` tokens per second, bursts up to `rate`; one token per inbound frame. */
export class TokenBucket {
  readonly #rate: number;
  #tokens: number;
  #last: number;

  constructor(rate: number, now: number) {
    this.#rate = rate;
    this.#tokens = rate;
    this.#last = now;
  }

  take(now: number): boolean {
    this.#tokens = Math.min(this.#rate, this.#tokens + ((now - this.#last) / 1000) * this.#rate);
    this.#last = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
