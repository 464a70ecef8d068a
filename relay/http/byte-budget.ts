/**
 * Bytes of attachment uploads held in memory at once. A body is read whole before it is stored
 * (better-sqlite3 binds a blob from one buffer), so without a shared cap many slow uploads of up
 * to SEALDESK_MAX_ATTACHMENT_BYTES each could together exhaust the relay's memory. An upload that
 * would pass SEALDESK_UPLOAD_MEMORY_BYTES is refused with 503 `busy` (docs/OPERATIONS.md).
 */
export class ByteBudget {
  #free: number;

  constructor(total: number) {
    this.#free = total;
  }

  /** Bytes not taken, for tests and diagnostics. */
  get free(): number {
    return this.#free;
  }

  /** Takes `bytes` if that many are free. */
  take(bytes: number): boolean {
    if (bytes > this.#free) return false;
    this.#free -= bytes;
    return true;
  }

  give(bytes: number): void {
    this.#free += bytes;
  }
}
