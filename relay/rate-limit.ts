/** Two small in-memory limiters: a fixed window per key (per hour) and a token bucket (per second). */

/** At most `limit` events per key per window; used for conversations per visitor address per hour. */
export class WindowCounter {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #counts = new Map<string, { start: number; count: number }>();

  constructor(limit: number, windowMs: number) {
    this.#limit = limit;
    this.#windowMs = windowMs;
  }

  /** Counts one event; false (and not counted) when the key is over its limit. */
  take(key: string, now: number): boolean {
    if (this.#counts.size > 100_000) this.#sweep(now);
    const entry = this.#counts.get(key);
    if (entry === undefined || now - entry.start >= this.#windowMs) {
      this.#counts.set(key, { start: now, count: 1 });
      return true;
    }
    if (entry.count >= this.#limit) return false;
    entry.count += 1;
    return true;
  }

  #sweep(now: number): void {
    for (const [key, entry] of this.#counts) if (now - entry.start >= this.#windowMs) this.#counts.delete(key);
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
