/**
 * How many queued envelopes a connection's backlog fetches per page (issue #10 item 15). A page
 * is read from the store, encoded and written to the socket in one go on the event loop; 256
 * envelopes of 60 KB made that 15 MB per page, which a stalled receiver got at every reconnect
 * and its neighbours waited for. Pages are bounded by bytes instead: at most `budgetBytes`
 * (half of SEALDESK_MAX_BUFFERED_BYTES), sized from the envelopes seen so far and, before any,
 * from the largest envelope the protocol allows (docs/PROTOCOL.md §14).
 */
import { LIMITS } from '../../shared/wire/index.js';

/** The most envelopes in one page (small envelopes). */
export const BACKLOG_PAGE = 256;

export class BacklogPages {
  readonly #budgetBytes: number;
  #envelopes = 0;
  #bytes = 0;

  constructor(budgetBytes: number) {
    this.#budgetBytes = budgetBytes;
  }

  /** The page size for the next fetch: at least one envelope, at most BACKLOG_PAGE. */
  get limit(): number {
    const average = this.#envelopes === 0 ? LIMITS.maxEnvelopeBytes : this.#bytes / this.#envelopes;
    // The worst case of the next page: envelopes as large as the largest seen so far would be
    // safer, but the average of a queue rarely jumps; a page never exceeds BACKLOG_PAGE anyway.
    return Math.max(1, Math.min(BACKLOG_PAGE, Math.floor(this.#budgetBytes / Math.max(1, average))));
  }

  /** Records a fetched page's envelope sizes. */
  saw(envelopeBytes: readonly number[]): void {
    for (const n of envelopeBytes) {
      this.#envelopes += 1;
      this.#bytes += n;
    }
  }
}
