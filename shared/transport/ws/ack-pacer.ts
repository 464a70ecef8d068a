/**
 * When to acknowledge deliveries (PROTOCOL §16.2, shared/wire/frames/ack-policy.ts): acks are
 * cumulative, so the highest processed cursor is acked once ACK_MAX_UNACKED deliveries wait, or
 * ACK_MAX_DELAY_MS after the first of them, whichever comes first. "Processed" means saved: the
 * caller reports a cursor only after its step is committed.
 */
import { ACK_MAX_DELAY_MS, ACK_MAX_UNACKED } from '../../wire/index.js';
import type { Cancel, Timers } from '../ports.js';

export class AckPacer {
  readonly #timers: Timers;
  readonly #send: (cursor: number) => void;
  #highest = 0;
  #acked = 0;
  #unacked = 0;
  #cancel: Cancel | undefined;

  /** `send` writes the ack frame (it may drop it when no socket is open: resume covers that). */
  constructor(timers: Timers, send: (cursor: number) => void) {
    this.#timers = timers;
    this.#send = send;
  }

  /** The highest cursor acked so far. */
  get acked(): number {
    return this.#acked;
  }

  /** Cursor `cursor` is processed and saved. */
  processed(cursor: number): void {
    if (cursor > this.#highest) this.#highest = cursor;
    this.#unacked += 1;
    if (this.#unacked >= ACK_MAX_UNACKED) {
      this.flush();
      return;
    }
    this.#cancel ??= this.#timers.after(ACK_MAX_DELAY_MS, () => {
      this.#cancel = undefined;
      this.flush();
    });
  }

  /** Acks everything processed so far now. */
  flush(): void {
    this.#cancel?.();
    this.#cancel = undefined;
    this.#unacked = 0;
    if (this.#highest > this.#acked) {
      this.#acked = this.#highest;
      this.#send(this.#highest);
    }
  }

  /** The socket closed: a pending ack is dropped (the next hello resumes after the saved cursor). */
  reset(): void {
    this.#cancel?.();
    this.#cancel = undefined;
    this.#unacked = 0;
    this.#acked = Math.min(this.#acked, this.#highest);
  }
}
