/**
 * WebSocket connections per visitor address that have not authenticated yet. Each holds a file
 * descriptor and memory for up to HELLO_TIMEOUT_MS; without a cap one address could open them
 * faster than they time out and use up the relay's descriptors, shutting everyone else out.
 * Authenticated connections do not count (they are limited by their queues and rate limits).
 */
export class AddressSlots {
  readonly #max: number;
  readonly #used = new Map<string, number>();

  constructor(max: number) {
    this.#max = max;
  }

  /** Takes a slot for `key`: a release function (safe to call more than once), or undefined when all are taken. */
  take(key: string): (() => void) | undefined {
    const used = this.#used.get(key) ?? 0;
    if (used >= this.#max) return undefined;
    this.#used.set(key, used + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#used.get(key) ?? 1) - 1;
      if (left === 0) this.#used.delete(key);
      else this.#used.set(key, left);
    };
  }

  /** Addresses holding at least one slot, for tests and diagnostics. */
  get addresses(): number {
    return this.#used.size;
  }
}
