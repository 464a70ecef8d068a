/**
 * WAL checkpoints off the event loop. The store's own connection runs with wal_autocheckpoint=0;
 * a worker thread with its own better-sqlite3 connection polls the WAL file's size and, past
 * `passiveBytes`, runs `wal_checkpoint(PASSIVE)`: it copies committed frames into the database
 * without blocking the relay's writers (SQLite "Write-Ahead Logging", "Checkpointing").
 *
 * SQLite rewinds the log only when a writer starts after a checkpoint has copied every frame,
 * which a steady stream of commits (one every millisecond or so) never leaves time for, so the
 * file would grow without bound. Once the log holds `restartBytes`, the worker follows its passive
 * pass with `wal_checkpoint(RESTART)`: that one waits for the current writer and holds the next
 * one off while it copies the few frames committed since the passive pass, after which the next
 * commit starts the log from its beginning. The file thus stays near `restartBytes`. (TRUNCATE
 * would also shrink the file, but measured 20-40 ms of blocked commits on ext4 against about
 * 5 ms for RESTART; close() truncates once.)
 *
 * Checkpoints keep SQLite's ordering with synchronous=NORMAL: the WAL is synced before any frame
 * is copied, and the database file after, so nothing acknowledged is ever only in memory.
 *
 * The worker is plain CommonJS evaluated from a string (`eval: true`): the relay runs under tsx
 * and the tests under vitest, and neither loads a .ts file as a worker. A worker that fails
 * (exception, unexpected exit) is reported once through `onFailure`; the store then checkpoints
 * on its own connection again.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export interface CheckpointerOptions {
  /** WAL size from which a passive checkpoint runs (default 4 MiB). */
  readonly passiveBytes?: number;
  /** WAL size from which the log is checkpointed and restarted from its beginning (default 32 MiB). */
  readonly restartBytes?: number;
  /** How often the worker looks at the WAL size (default 100 ms). */
  readonly pollMs?: number;
  /** The worker's source, for tests that need a failing worker. */
  readonly source?: string;
}

export const DEFAULT_PASSIVE_BYTES = 4 * 1024 * 1024;
export const DEFAULT_RESTART_BYTES = 32 * 1024 * 1024;
export const DEFAULT_POLL_MS = 100;
const STOP_TIMEOUT_MS = 5_000;
/** Commits wait at most this long for a restarting pass (then SQLite's busy handler takes over). */
const HOLD_MAX_MS = 1_000;

/**
 * workerData: { path, sqlite, passiveBytes, restartBytes, pollMs }. Posts { checkpoints } after
 * each tick that checkpointed, { hold: true } before a restarting pass (answered by 'restart'),
 * and { released: true } after it.
 */
export const CHECKPOINT_WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { statSync } = require('node:fs');
const Database = require(workerData.sqlite);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
db.pragma('synchronous = NORMAL');
db.pragma('wal_autocheckpoint = 0');
const walPath = workerData.path + '-wal';
let checkpoints = 0;
const walBytes = () => {
  try { return statSync(walPath).size; } catch (error) { if (error.code === 'ENOENT') return 0; throw error; }
};
const pageBytes = db.pragma('page_size', { simple: true });
// Frames a restarting pass may have left to copy while it holds writers off (1 MiB of 4 KiB pages).
const RESTART_LEFT_FRAMES = 256;
const passive = () => {
  checkpoints += 1;
  return db.pragma('wal_checkpoint(PASSIVE)')[0];
};
let waiting = false;
const tick = () => {
  // The file never shrinks by itself: its size only says that checkpointing is worth a look.
  if (waiting || walBytes() < workerData.passiveBytes) return;
  // log: frames in the log; checkpointed: frames copied to the database so far.
  let pass = passive();
  if (pass.log * pageBytes >= workerData.restartBytes) {
    // Passive passes do the bulk of the copying while writers go on (a few, if commits kept
    // coming); the restarting pass then holds them off only for the frames left over. It asks
    // the main thread first, which parks its commits (without blocking its event loop) and
    // answers 'restart' between two transactions.
    for (let i = 0; i < 3 && pass.log - pass.checkpointed > RESTART_LEFT_FRAMES; i += 1) pass = passive();
    waiting = true;
    parentPort.postMessage({ checkpoints, hold: true });
    return;
  }
  parentPort.postMessage({ checkpoints });
};
const restart = () => {
  try {
    db.pragma('wal_checkpoint(RESTART)');
    checkpoints += 1;
  } finally {
    waiting = false;
    parentPort.postMessage({ checkpoints, released: true });
  }
};
// SQLITE_BUSY (another checkpoint holds the lock) is retried at the next tick; anything else
// ends the worker, and the store falls back to checkpointing on its own connection. A
// SqliteError reaches the main thread's 'error' event as a bare { code } object (its message
// is lost in the structured clone), so it is rethrown as a plain Error that names both.
const guarded = (run) => () => {
  try { run(); } catch (error) {
    if (error && error.code === 'SQLITE_BUSY') return;
    const code = error && typeof error.code === 'string' ? error.code + ': ' : '';
    throw new Error(code + (error && typeof error.message === 'string' ? error.message : String(error)));
  }
};
const timer = setInterval(guarded(tick), workerData.pollMs);
parentPort.on('message', (message) => {
  if (message === 'restart') guarded(restart)();
  if (message !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/**
 * An Error with a message for whatever a worker's 'error' event carries: an Error, a bare
 * `{ code }` (what a SqliteError becomes across threads), or any other value (issue #10 item 10).
 */
export function workerError(value: unknown): Error {
  if (value instanceof Error && typeof value.message === 'string' && value.message !== '') return value;
  const fields = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  const code = typeof fields['code'] === 'string' ? fields['code'] : undefined;
  const message = typeof fields['message'] === 'string' && fields['message'] !== '' ? fields['message'] : undefined;
  const text =
    [code, message].filter((part) => part !== undefined).join(': ') ||
    (typeof value === 'string' || typeof value === 'number' ? String(value) : 'unknown error');
  return new Error(`checkpoint worker failed: ${text}`);
}

export class Checkpointer {
  readonly #worker: Worker;
  readonly #exited: Promise<void>;
  #stopping = false;
  #failed = false;
  #checkpoints = 0;
  /** Set while the worker runs a restarting pass: the store's commits wait for it. */
  #held: { readonly promise: Promise<void>; readonly release: () => void } | undefined;

  constructor(path: string, options: CheckpointerOptions, onFailure: (error: Error) => void) {
    const fail = (error: Error): void => {
      if (this.#stopping || this.#failed) return;
      this.#failed = true;
      onFailure(error);
    };
    this.#worker = new Worker(options.source ?? CHECKPOINT_WORKER_SOURCE, {
      eval: true,
      workerData: {
        path,
        sqlite: createRequire(import.meta.url).resolve('better-sqlite3'),
        passiveBytes: options.passiveBytes ?? DEFAULT_PASSIVE_BYTES,
        restartBytes: options.restartBytes ?? DEFAULT_RESTART_BYTES,
        pollMs: options.pollMs ?? DEFAULT_POLL_MS,
      },
    });
    // A store that is never closed must not keep the process alive.
    this.#worker.unref();
    this.#worker.on('message', (message: unknown) => {
      const m = message as { checkpoints?: unknown; hold?: unknown; released?: unknown } | null;
      if (typeof m?.checkpoints === 'number') this.#checkpoints = m.checkpoints;
      if (m?.hold === true) this.#hold();
      if (m?.released === true) this.#release();
    });
    // Typed as Error, but a worker's uncaught value arrives as whatever survived the clone.
    this.#worker.on('error', (error: unknown) => {
      this.#release();
      fail(workerError(error));
    });
    this.#exited = new Promise((resolve) => {
      this.#worker.once('exit', (code) => {
        this.#release();
        if (code !== 0) fail(new Error(`checkpoint worker exited with code ${String(code)}`));
        else if (!this.#stopping) fail(new Error('checkpoint worker stopped unexpectedly'));
        resolve();
      });
    });
  }

  /**
   * While the worker restarts the log, a promise that resolves when it is done (at most
   * HOLD_MAX_MS later): a commit awaits it instead of sleeping in SQLite's busy handler on the
   * event loop. Undefined otherwise.
   */
  get held(): Promise<void> | undefined {
    return this.#held?.promise;
  }

  /**
   * Runs between two of the store's transactions (they are synchronous), so no write is in
   * progress when the worker is told to go; later commits wait on `held`.
   */
  #hold(): void {
    if (this.#held === undefined) {
      let release = (): void => undefined;
      const promise = new Promise<void>((resolve) => {
        release = resolve;
      });
      const timeout = setTimeout(() => {
        this.#release();
      }, HOLD_MAX_MS);
      this.#held = {
        promise,
        release: () => {
          clearTimeout(timeout);
          release();
        },
      };
    }
    this.#worker.postMessage('restart');
  }

  #release(): void {
    const held = this.#held;
    this.#held = undefined;
    held?.release();
  }

  /** Checkpoints the worker has run (as last reported), for tests and diagnostics. */
  get checkpoints(): number {
    return this.#checkpoints;
  }

  /** True once the worker has failed; the store has fallen back to its own connection. */
  get failed(): boolean {
    return this.#failed;
  }

  /** Stops the worker after its current checkpoint (terminates it if it does not stop in time). */
  async stop(): Promise<void> {
    this.#stopping = true;
    // Unreferenced while running; the process must not exit before the worker has closed.
    this.#worker.ref();
    this.#worker.postMessage('stop');
    const timeout = setTimeout(() => {
      void this.#worker.terminate();
    }, STOP_TIMEOUT_MS);
    try {
      await this.#exited;
    } finally {
      clearTimeout(timeout);
    }
  }
}
