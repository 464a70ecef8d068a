/**
 * fdatasync(2) of the SQLite WAL file on libuv's thread pool. With synchronous=NORMAL a COMMIT
 * only write()s its WAL frames; syncing the WAL file afterwards makes every transaction committed
 * so far durable, the same point synchronous=FULL would sync on the event loop (SQLite "PRAGMA
 * synchronous", WAL mode). fdatasync is what SQLite itself uses on Linux: it flushes the data and
 * the metadata needed to read it back (the file size), not timestamps.
 *
 * Calls are coalesced: at most one sync runs; every call made while it runs shares the ONE next
 * sync, which starts when the running one ends (a sync only covers writes made before it began).
 */
import { closeSync, fdatasync, openSync } from 'node:fs';

export class WalSync {
  readonly #fd: number;
  #syncs = 0;
  #running: Promise<void> | undefined;
  #next: Promise<void> | undefined;

  /**
   * SQLite keeps this file (same inode) while a connection is open; checkpoints rewind or
   * truncate it in place, so one descriptor serves for the store's lifetime.
   */
  constructor(walPath: string) {
    this.#fd = openSync(walPath, 'r+');
  }

  /** Completed syncs, for tests and diagnostics. */
  get syncs(): number {
    return this.#syncs;
  }

  /** Resolves once everything written to the WAL before the call is on disk. */
  sync(): Promise<void> {
    if (this.#running === undefined) {
      this.#running = this.#start();
      return this.#running;
    }
    // Writes made now may not be covered by the running sync: wait for the one after it.
    this.#next ??= this.#running.then(
      () => this.#promoteNext(),
      () => this.#promoteNext(),
    );
    return this.#next;
  }

  close(): void {
    closeSync(this.#fd);
  }

  #promoteNext(): Promise<void> {
    this.#next = undefined;
    this.#running = this.#start();
    return this.#running;
  }

  #start(): Promise<void> {
    const done = new Promise<void>((resolve, reject) => {
      fdatasync(this.#fd, (error) => {
        if (error !== null) {
          reject(error);
          return;
        }
        this.#syncs += 1;
        resolve();
      });
    });
    // Clears itself when finished (whatever the outcome), unless a later sync replaced it.
    const clear = (): void => {
      if (this.#running === done) this.#running = undefined;
    };
    done.then(clear, clear);
    return done;
  }
}
