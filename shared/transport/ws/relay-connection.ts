/**
 * The long-lived relay connection of one queue (a device, or a visitor's conversation):
 *
 * - connects, authenticates (relay-socket.ts) and reconnects with exponential backoff and full
 *   jitter, resuming after the cursor saved in the store (PROTOCOL §16.2 resumeAfter);
 * - hands each delivery to the runtime's handler, one at a time in cursor order, drops cursors it
 *   has processed already (at-least-once delivery, §16.3), saves the cursor in the same commit as
 *   the handler's step, and acks with the pacing of §16.2 only what is saved;
 * - sends the store's outbox: every entry is saved before it is sent and sent again after a
 *   reconnect or a restart until the relay answers `stored`; `storage-failed` and `rate-limited`
 *   are sent again, permanent refusals (§16.4) leave the outbox with a `rejected` event;
 * - notices a dead connection by a send left unanswered (sendTimeoutMs), and keeps idle
 *   connections open through proxies with a keepalive ack (heartbeatMs).
 */
import { type RandomSource, secureRandom } from '../../crypto/index.js';
import type {
  ClientStore,
  CommitResult,
  CursorQueue,
  OutboxEntry,
  StateShapes,
  StoreStep,
} from '../../storage/index.js';
import { UsageError } from '../../errors/index.js';
import { type ConversationId, type DeviceId, FRAME_ERRORS, MAX_U32 } from '../../wire/index.js';
import { errorFromFrame, isPermanentSendError } from '../error-mapping.js';
import type { Cancel, Timers, WebSocketConstructor } from '../ports.js';
import {
  BlockedError,
  GoneError,
  RateLimitedError,
  type RelayError,
  TimeoutError,
  UnauthorizedError,
  UnreachableError,
} from '../relay-errors.js';
import { AckPacer } from './ack-pacer.js';
import { type BackoffPolicy, backoffDelay } from './backoff.js';
import { type Hello, helloQueue } from './hello.js';
import { RelaySocket, type SocketListener } from './relay-socket.js';

export interface ConnectionTuning {
  /** From opening the socket to `ready`. */
  readonly handshakeTimeoutMs: number;
  /** A send unanswered this long means the connection is dead: reconnect and send again. */
  readonly sendTimeoutMs: number;
  /** A keepalive ack after this long without sending anything (0: none). */
  readonly heartbeatMs: number;
  readonly backoff: BackoffPolicy;
  /** A connection that stayed up this long starts the backoff from the beginning again. */
  readonly stableAfterMs: number;
  /** Sends awaiting `stored` at most. */
  readonly maxInFlight: number;
  /** Pause before sending again after `storage-failed` or `rate-limited`. */
  readonly resendAfterMs: number;
  /** First wait of `retryAfterRefusal` (doubled per refusal in a row, at most 16×). */
  readonly refusedRetryMs: number;
}

export const DEFAULT_TUNING: ConnectionTuning = {
  handshakeTimeoutMs: 10_000,
  sendTimeoutMs: 15_000,
  heartbeatMs: 25_000,
  backoff: { initialMs: 500, maxMs: 30_000 },
  stableAfterMs: 10_000,
  maxInFlight: 64,
  resendAfterMs: 1_000,
  refusedRetryMs: 60_000,
};

export const CONNECTION_STATUSES = {
  /** Not started. */
  idle: 'idle',
  connecting: 'connecting',
  ready: 'ready',
  /** Waiting for the next reconnect attempt (`retryInMs`). */
  waiting: 'waiting',
  /** Stopped by `stop()`. */
  stopped: 'stopped',
  /** Given up: the relay refused this device or visitor, or the queue is gone; see `error`. */
  failed: 'failed',
} as const;
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[keyof typeof CONNECTION_STATUSES];

export type ConnectionEvent =
  | {
      readonly type: 'status';
      readonly status: ConnectionStatus;
      readonly error?: unknown;
      readonly retryInMs?: number;
    }
  /** An outbox entry is durable on the relay (and removed from the outbox). */
  | {
      readonly type: 'stored';
      readonly seq: number;
      readonly conversationId: ConversationId;
      readonly ref: string | undefined;
      readonly cursor: number;
    }
  /** The relay refused an outbox entry for good (PROTOCOL §16.4); it left the outbox. */
  | {
      readonly type: 'rejected';
      readonly seq: number;
      readonly conversationId: ConversationId;
      readonly ref: string | undefined;
      readonly error: RelayError;
    }
  /** PROTOCOL §16.11: the account's history changed at the relay (a hint: read it again). */
  | { readonly type: 'nudge' }
  /** PROTOCOL §16.12: another device's team signal, as the relay forwarded it (nothing checked yet). */
  | { readonly type: 'team-signal'; readonly author: DeviceId; readonly blob: Uint8Array }
  /** A failure the connection recovers from (a handler or a store write failed, the relay misbehaved). */
  | { readonly type: 'problem'; readonly error: unknown };

export interface Delivery {
  readonly cursor: number;
  /** The envelope bytes, checked as a frame but not decoded (the runtime decodes and trusts nothing). */
  readonly envelope: Uint8Array;
}

/**
 * Commits `step` together with this delivery's cursor, in one transaction. Call it at most once,
 * before showing anything; a handler that returns without calling it has the cursor saved alone.
 */
export type SaveDelivery<S extends StateShapes> = (step?: StoreStep<S>) => Promise<CommitResult>;

/**
 * The runtime's processing of one delivery. It must not throw for bad input (a protocol
 * rejection is a normal outcome: save the cursor, raise an alert); a throw means "not processed":
 * the connection drops and the delivery comes again after the reconnect.
 */
export type DeliveryHandler<S extends StateShapes> = (delivery: Delivery, save: SaveDelivery<S>) => Promise<void>;

export interface RelayConnectionOptions<S extends StateShapes> {
  /** `wss://relay.example/v1/ws`. */
  readonly url: string;
  readonly WebSocket: WebSocketConstructor;
  readonly timers: Timers;
  /** Jitter randomness (default: crypto.getRandomValues). */
  readonly rng?: RandomSource;
  readonly hello: Hello;
  readonly store: ClientStore<S>;
  readonly onDeliver: DeliveryHandler<S>;
  /** Must not throw (an exception is rethrown asynchronously and changes nothing here). */
  readonly onEvent?: (event: ConnectionEvent) => void;
  readonly tuning?: Partial<ConnectionTuning>;
}

interface InFlight {
  readonly entry: OutboxEntry;
  sentAt: number;
}

export class RelayConnection<S extends StateShapes = StateShapes> {
  readonly queue: CursorQueue;
  readonly #options: RelayConnectionOptions<S>;
  readonly #tuning: ConnectionTuning;
  readonly #rng: RandomSource;
  readonly #pacer: AckPacer;
  #status: ConnectionStatus = CONNECTION_STATUSES.idle;
  #socket: RelaySocket | undefined;
  /** Bumped for every connect and stop: callbacks of an older socket are ignored. */
  #generation = 0;
  #attempt = 0;
  /** Refusals retried in a row (retryAfterRefusal), reset once a connection is up. */
  #refusals = 0;
  #readyAt: number | undefined;
  #cancelReconnect: Cancel | undefined;
  #cancelWatchdog: Cancel | undefined;
  #cancelHeartbeat: Cancel | undefined;
  #cancelResume: Cancel | undefined;
  #lastSentAt = 0;
  // Deliveries
  #processed = 0;
  #highestQueued = 0;
  #duplicates = 0;
  #deliveries: Delivery[] = [];
  #processing: Promise<void> | undefined;
  // Outbox
  #known = 0;
  #unsent: OutboxEntry[] = [];
  readonly #inFlight = new Map<number, InFlight>();
  readonly #requests = new Map<number, number>();
  #nextRequestId = 0;
  #pausedUntil = 0;
  #loading: Promise<void> = Promise.resolve();
  /** Answered entries to remove from the outbox: stored under `cursor`, or refused with `error`. */
  #confirms: ({ entry: OutboxEntry; cursor: number } | { entry: OutboxEntry; error: RelayError })[] = [];
  #confirming: Promise<void> | undefined;

  constructor(options: RelayConnectionOptions<S>) {
    this.#options = options;
    this.#tuning = { ...DEFAULT_TUNING, ...options.tuning };
    this.#rng = options.rng ?? secureRandom;
    this.queue = helloQueue(options.hello);
    this.#pacer = new AckPacer(options.timers, (cursor) => {
      this.#socket?.ack(cursor);
      this.#lastSentAt = this.#now();
    });
  }

  get status(): ConnectionStatus {
    return this.#status;
  }

  /** Deliveries processed and saved: the cursor the next hello resumes after. */
  get processedCursor(): number {
    return this.#processed;
  }

  /** Deliveries received and waiting for the handler. */
  get queuedDeliveries(): number {
    return this.#deliveries.length;
  }

  /** Deliveries dropped because their cursor was taken already (at-least-once delivery, §16.3). */
  get duplicatesDropped(): number {
    return this.#duplicates;
  }

  /** Loads the saved cursor and the outbox, then connects (and keeps reconnecting until stop). */
  start(): void {
    const s = this.#status;
    if (s !== CONNECTION_STATUSES.idle && s !== CONNECTION_STATUSES.stopped && s !== CONNECTION_STATUSES.failed) return;
    const generation = ++this.#generation;
    this.#setStatus(CONNECTION_STATUSES.connecting);
    const store = this.#options.store;
    void (async () => {
      try {
        this.#processed = await store.cursor(this.queue);
        this.#highestQueued = this.#processed;
        this.#known = 0;
        this.#unsent = [];
        await this.#loadOutbox();
      } catch (error) {
        if (generation === this.#generation) this.#setStatus(CONNECTION_STATUSES.failed, error);
        return;
      }
      if (generation === this.#generation) this.#connect();
    })();
  }

  /** Closes the connection for good (until `start` again), after the delivery being processed. */
  async stop(): Promise<void> {
    this.#generation++;
    this.#setStatus(CONNECTION_STATUSES.stopped);
    this.#cancelReconnect?.();
    this.#pacer.flush();
    this.#down();
    this.#deliveries = [];
    await this.#processing;
    await this.#confirming;
  }

  /**
   * After the relay refused this queue (`failed`), tries again later: for a caller that checked the
   * refusal is not for good (PROTOCOL §4.8: the device's verified list still names it, so it may be
   * an outage). Waits `refusedRetryMs`, doubled per refusal in a row up to 16×.
   */
  retryAfterRefusal(): void {
    if (this.#status !== CONNECTION_STATUSES.failed) return;
    const delay = this.#tuning.refusedRetryMs * 2 ** Math.min(this.#refusals, 4);
    this.#refusals += 1;
    this.#setStatus(CONNECTION_STATUSES.waiting, undefined, delay);
    this.#cancelReconnect = this.#options.timers.after(delay, () => {
      this.#connect();
    });
  }

  /** Connects now instead of waiting out the backoff (e.g. on the browser's `online` event). */
  reconnectNow(): void {
    if (this.#status !== CONNECTION_STATUSES.waiting) return;
    this.#cancelReconnect?.();
    this.#connect();
  }

  /** Commits a step of the runtime's own (a message typed, a receipt) and sends its new outbox entries. */
  async commit(step: StoreStep<S>): Promise<CommitResult> {
    const result = await this.#options.store.commit(step);
    if (result.outbox.length > 0) this.flush();
    return result;
  }

  /**
   * PROTOCOL §16.12: sends one team signal now if the connection is ready; false (nothing sent,
   * nothing kept) otherwise — signals are ephemeral, the sender's next refresh replaces it.
   */
  sendTeamSignal(blob: Uint8Array): boolean {
    const socket = this.#socket;
    if (socket === undefined || this.#status !== CONNECTION_STATUSES.ready || !socket.open) return false;
    socket.teamSignal(blob);
    return true;
  }

  /** Picks up outbox entries committed to the store by someone else, and sends them. */
  flush(): void {
    void this.#loadOutbox().then(
      () => {
        this.#pump();
      },
      (error: unknown) => {
        this.#emit({ type: 'problem', error });
      },
    );
  }

  // ---- connecting --------------------------------------------------------------------------------

  #connect(): void {
    const generation = ++this.#generation;
    this.#cancelReconnect = undefined;
    this.#setStatus(CONNECTION_STATUSES.connecting);
    const listener: SocketListener = {
      deliver: (cursor, envelope) => {
        if (generation === this.#generation) this.#onDeliver(cursor, envelope);
      },
      stored: (requestId, cursor) => {
        if (generation === this.#generation) this.#onStored(requestId, cursor);
      },
      refused: (requestId, code) => {
        if (generation === this.#generation) this.#onRefused(requestId, code);
      },
      nudge: () => {
        if (generation === this.#generation) this.#emit({ type: 'nudge' });
      },
      teamSignal: (author, blob) => {
        if (generation === this.#generation) this.#emit({ type: 'team-signal', author, blob });
      },
      closed: (error) => {
        if (generation === this.#generation) this.#onDown(error);
      },
    };
    RelaySocket.open({
      url: this.#options.url,
      WebSocket: this.#options.WebSocket,
      timers: this.#options.timers,
      hello: this.#options.hello,
      resumeAfter: this.#processed,
      handshakeTimeoutMs: this.#tuning.handshakeTimeoutMs,
      listener,
    }).then(
      (socket) => {
        if (generation !== this.#generation) {
          socket.close();
          return;
        }
        this.#socket = socket;
        this.#refusals = 0;
        this.#readyAt = this.#now();
        this.#setStatus(CONNECTION_STATUSES.ready);
        // A fresh connection may only ack what it resumed after (§16.2): this cleans the relay's
        // queue of deliveries processed but not yet acked when the last connection ended.
        if (this.#processed > 0) socket.ack(this.#processed);
        this.#lastSentAt = this.#now();
        this.#armHeartbeat(generation);
        this.#pump();
      },
      (error: unknown) => {
        if (generation === this.#generation) this.#onDown(error as RelayError);
      },
    );
  }

  /** The socket is gone: everything in flight is sent again on the next connection. */
  #down(): void {
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.close();
    this.#cancelWatchdog?.();
    this.#cancelWatchdog = undefined;
    this.#cancelHeartbeat?.();
    this.#cancelHeartbeat = undefined;
    this.#cancelResume?.();
    this.#cancelResume = undefined;
    this.#pacer.reset();
    this.#requests.clear();
    if (this.#inFlight.size > 0) {
      this.#unsent = [...[...this.#inFlight.values()].map((f) => f.entry), ...this.#unsent].sort(
        (a, b) => a.seq - b.seq,
      );
      this.#inFlight.clear();
    }
  }

  #onDown(error: RelayError): void {
    const wasStable = this.#readyAt !== undefined && this.#now() - this.#readyAt >= this.#tuning.stableAfterMs;
    this.#readyAt = undefined;
    this.#generation++;
    this.#down();
    if (error instanceof UnauthorizedError || error instanceof GoneError || error instanceof BlockedError) {
      this.#setStatus(CONNECTION_STATUSES.failed, error);
      return;
    }
    if (wasStable) this.#attempt = 0;
    let delay = backoffDelay(this.#attempt, this.#tuning.backoff, this.#rng);
    this.#attempt += 1;
    if (error instanceof RateLimitedError && error.retryAfterMs !== undefined)
      delay = Math.max(delay, error.retryAfterMs);
    this.#setStatus(CONNECTION_STATUSES.waiting, error, delay);
    this.#cancelReconnect = this.#options.timers.after(delay, () => {
      this.#connect();
    });
  }

  /** Gives up on the current socket (it will reconnect). */
  #drop(error: RelayError): void {
    const socket = this.#socket;
    if (socket === undefined) return;
    socket.close(error);
  }

  #armHeartbeat(generation: number): void {
    const every = this.#tuning.heartbeatMs;
    if (every <= 0) return;
    this.#cancelHeartbeat = this.#options.timers.after(every, () => {
      if (generation !== this.#generation || this.#socket === undefined) return;
      // No client-level ping exists in §16: an ack of what was acked already is the cheapest frame.
      if (this.#now() - this.#lastSentAt >= every) {
        this.#socket.ack(this.#pacer.acked);
        this.#lastSentAt = this.#now();
      }
      this.#armHeartbeat(generation);
    });
  }

  // ---- deliveries --------------------------------------------------------------------------------

  #onDeliver(cursor: number, envelope: Uint8Array): void {
    // §16.3: delivery is at least once; a cursor at or below one already taken is a duplicate.
    if (cursor <= this.#highestQueued) {
      this.#duplicates += 1;
      return;
    }
    this.#highestQueued = cursor;
    this.#deliveries.push({ cursor, envelope });
    this.#processing ??= this.#processDeliveries();
  }

  async #processDeliveries(): Promise<void> {
    try {
      for (let next = this.#deliveries.shift(); next !== undefined; next = this.#deliveries.shift()) {
        await this.#process(next);
      }
    } catch (error) {
      // Not processed: drop what is queued here, reconnect, and get it again from the relay.
      this.#emit({ type: 'problem', error });
      this.#deliveries = [];
      this.#highestQueued = this.#processed;
      this.#drop(
        new UnreachableError('a delivery could not be processed; reconnecting to get it again', { cause: error }),
      );
    } finally {
      this.#processing = undefined;
    }
  }

  async #process(delivery: Delivery): Promise<void> {
    // An object: the handler sets it through `save`, out of TypeScript's flow analysis.
    const done = { saved: false };
    const save: SaveDelivery<S> = async (step = {}) => {
      if (done.saved) throw new UsageError('a delivery is saved once');
      done.saved = true;
      const result = await this.#options.store.commit({
        ...step,
        cursors: [...(step.cursors ?? []), { queue: this.queue, cursor: delivery.cursor }],
      });
      this.#processed = Math.max(this.#processed, delivery.cursor);
      if (result.outbox.length > 0) this.flush();
      return result;
    };
    await this.#options.onDeliver(delivery, save);
    if (!done.saved) await save();
    this.#pacer.processed(delivery.cursor);
  }

  // ---- outbox ------------------------------------------------------------------------------------

  /** Appends outbox entries committed since the last load (one load at a time). */
  #loadOutbox(): Promise<void> {
    const hello = this.#options.hello;
    const load = this.#loading.then(async () => {
      const entries = await this.#options.store.outbox({
        after: this.#known,
        ...(hello.kind === 'visitor' ? { conversationId: hello.conversationId } : {}),
      });
      for (const entry of entries) {
        this.#known = Math.max(this.#known, entry.seq);
        this.#unsent.push(entry);
      }
    });
    this.#loading = load.catch(() => undefined);
    return load;
  }

  #pump(): void {
    const socket = this.#socket;
    if (socket === undefined || this.#now() < this.#pausedUntil) return;
    while (this.#inFlight.size < this.#tuning.maxInFlight) {
      const entry = this.#unsent.shift();
      if (entry === undefined) break;
      this.#send(socket, entry, { entry, sentAt: 0 });
    }
  }

  #send(socket: RelaySocket, entry: OutboxEntry, flight: InFlight): void {
    // requestId 0 means "not about a send" (§16.3.5): ids run 1..2^32-1.
    this.#nextRequestId = this.#nextRequestId >= MAX_U32 ? 1 : this.#nextRequestId + 1;
    const requestId = this.#nextRequestId;
    try {
      socket.send(requestId, entry.envelope);
    } catch (error) {
      // The frame cannot be encoded (an envelope over LIMITS.maxEnvelopeBytes): it never will be.
      this.#inFlight.delete(entry.seq);
      this.#emit({ type: 'problem', error });
      this.#reject(entry, errorFromFrame(FRAME_ERRORS['frame-too-large'], requestId));
      return;
    }
    flight.sentAt = this.#now();
    this.#requests.set(requestId, entry.seq);
    this.#inFlight.set(entry.seq, flight);
    this.#lastSentAt = flight.sentAt;
    this.#armWatchdog();
  }

  #onStored(requestId: number, cursor: number): void {
    const seq = this.#requests.get(requestId);
    this.#requests.delete(requestId);
    const flight = seq === undefined ? undefined : this.#inFlight.get(seq);
    if (seq === undefined || flight === undefined) return;
    this.#inFlight.delete(seq);
    this.#confirm(flight.entry, cursor);
    this.#pump();
  }

  #onRefused(requestId: number, code: number): void {
    const error = errorFromFrame(code, requestId);
    if (code === FRAME_ERRORS['signal-rate-limited']) {
      // §16.12: a team signal was dropped; nothing is resent (the next refresh replaces it).
      return;
    }
    if (code === FRAME_ERRORS['rate-limited']) {
      // §16.4: the frame was dropped, and the relay cannot say which one (requestId 0).
      this.#resendAfterPause(this.#now());
      return;
    }
    const seq = this.#requests.get(requestId);
    const flight = seq === undefined ? undefined : this.#inFlight.get(seq);
    if (requestId === 0 || seq === undefined || flight === undefined) {
      this.#emit({ type: 'problem', error });
      if (code === FRAME_ERRORS['not-authenticated']) this.#drop(error);
      return;
    }
    this.#requests.delete(requestId);
    if (code === FRAME_ERRORS['storage-failed']) {
      this.#inFlight.delete(flight.entry.seq);
      this.#unsent = [flight.entry, ...this.#unsent].sort((a, b) => a.seq - b.seq);
      this.#resendAfterPause(0);
      return;
    }
    if (isPermanentSendError(code)) {
      this.#inFlight.delete(flight.entry.seq);
      this.#reject(flight.entry, error);
      return;
    }
    this.#emit({ type: 'problem', error });
    this.#drop(error);
  }

  /**
   * Pauses sending for resendAfterMs, then sends again every entry in flight since before
   * `sentBefore` (those the relay dropped) and resumes the queue.
   */
  #resendAfterPause(sentBefore: number): void {
    this.#pausedUntil = this.#now() + this.#tuning.resendAfterMs;
    this.#cancelResume?.();
    this.#cancelResume = this.#options.timers.after(this.#tuning.resendAfterMs, () => {
      this.#cancelResume = undefined;
      const socket = this.#socket;
      if (socket === undefined) return;
      for (const flight of [...this.#inFlight.values()]) {
        if (flight.sentAt <= sentBefore) this.#send(socket, flight.entry, flight);
      }
      this.#pump();
    });
  }

  #armWatchdog(): void {
    if (this.#cancelWatchdog !== undefined) return;
    let oldest = Number.POSITIVE_INFINITY;
    for (const flight of this.#inFlight.values()) oldest = Math.min(oldest, flight.sentAt);
    if (oldest === Number.POSITIVE_INFINITY) return;
    const wait = Math.max(0, oldest + this.#tuning.sendTimeoutMs - this.#now());
    this.#cancelWatchdog = this.#options.timers.after(wait, () => {
      this.#cancelWatchdog = undefined;
      let expired = false;
      for (const flight of this.#inFlight.values()) {
        if (this.#now() - flight.sentAt >= this.#tuning.sendTimeoutMs) expired = true;
      }
      if (expired) {
        this.#drop(new TimeoutError(`a send got no answer within ${this.#tuning.sendTimeoutMs} ms; reconnecting`));
      } else {
        this.#armWatchdog();
      }
    });
  }

  #reject(entry: OutboxEntry, error: RelayError): void {
    this.#confirms.push({ entry, error });
    this.#flushConfirms();
  }

  #confirm(entry: OutboxEntry, cursor: number): void {
    this.#confirms.push({ entry, cursor });
    this.#flushConfirms();
  }

  /** Removes answered entries from the outbox, many per commit, then reports them. */
  #flushConfirms(): void {
    if (this.#confirming !== undefined) return;
    this.#confirming = (async () => {
      while (this.#confirms.length > 0) {
        const batch = this.#confirms;
        this.#confirms = [];
        try {
          await this.#options.store.commit({ confirmed: batch.map((c) => c.entry.seq) });
        } catch (error) {
          // They stay in the store and are sent again after a restart (the receiver drops the copy).
          this.#emit({ type: 'problem', error });
          continue;
        }
        for (const done of batch) {
          const base = { seq: done.entry.seq, conversationId: done.entry.conversationId, ref: done.entry.ref };
          this.#emit(
            'error' in done
              ? { type: 'rejected', ...base, error: done.error }
              : { type: 'stored', ...base, cursor: done.cursor },
          );
        }
      }
    })().finally(() => {
      this.#confirming = undefined;
    });
  }

  // ---- events ------------------------------------------------------------------------------------

  #now(): number {
    return this.#options.timers.now();
  }

  #setStatus(status: ConnectionStatus, error?: unknown, retryInMs?: number): void {
    this.#status = status;
    this.#emit({
      type: 'status',
      status,
      ...(error === undefined ? {} : { error }),
      ...(retryInMs === undefined ? {} : { retryInMs }),
    });
  }

  #emit(event: ConnectionEvent): void {
    const listener = this.#options.onEvent;
    if (listener === undefined) return;
    try {
      listener(event);
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
  }
}
