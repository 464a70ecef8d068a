/**
 * One WebSocket connection: challenge -> hello (device signature or visitor capability) -> ready,
 * then send/ack frames in, stored/deliver/error frames out (docs/PROTOCOL.md §16).
 * A bad frame gets an error frame and the connection stays open for valid traffic; only a failed
 * hello, a slow consumer, or the removal of the queue closes it.
 */
import type { Duplex } from 'node:stream';
import type { WebSocket, RawData } from 'ws';
import {
  type ClientFrame,
  DecodeError,
  asDeviceId,
  type EnvelopeRoute,
  FRAME_ERRORS,
  type FrameErrorName,
  FrameDecodeError,
  ROLES,
  type RelayFrame,
  type SendFrame,
  type TeamSignalFrame,
  decodeClientFrameFast,
  encodeDeliverFrame,
  encodeRelayFrame,
  encodeStoredFrame,
  idBytesFromHex,
  idToHex,
  readEnvelopeRoute,
} from '../../shared/wire/index.js';
import type { RelayContext } from '../context.js';
import type { QueueKey, StoredMessage } from '../store/store.js';
import { deviceQueue, visitorQueue } from '../store/store.js';
import { TokenBucket } from '../rate-limit.js';
import { matchesHash, randomSecret } from '../auth/tokens.js';
import { verifyDeviceSignature } from '../auth/device-signature.js';
import { CLOSE_BLOCKED, type Subscriber } from './hub.js';
import { type Peer, type Routing, routeEnvelope, routeFromCache } from './route-envelope.js';
import { wsHeaderBytes, writeWsHeader } from './ws-frame-header.js';
import { BacklogPages } from './backlog-pages.js';
import { errorText } from '../log.js';

export const CLOSE_AUTH_FAILED = 4401;
/** The device or conversation already has SEALDESK_SOCKETS_PER_QUEUE connections (issue #10 item 5). */
export const CLOSE_TOO_MANY = 4429;
const NOTHING = (): void => undefined;
/** A connection that has not authenticated within this time is closed (auth-failed). */
export const HELLO_TIMEOUT_MS = 10_000;

/** §16.3.3 stored: header + u32 requestId + u64 cursor; §16.3.4 deliver: header + u64 + u32 before the envelope. */
const STORED_FRAME_BYTES = 14;
const DELIVER_PREFIX_BYTES = 14;
const STORED_HEADROOM = wsHeaderBytes(STORED_FRAME_BYTES);

/** A message held while the backlog is sent, with its predecessor in the queue and its arrival round. */
interface Held {
  readonly message: StoredMessage;
  readonly previous: number | undefined;
  readonly round: number;
}

/** ws hands binary messages over as a Buffer (a Uint8Array) unless told otherwise. */
function rawBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}

export class Connection implements Subscriber {
  readonly #ws: WebSocket;
  /** The socket ws writes to (the HTTP upgrade socket); corked around batches of frames. */
  readonly #socket: Duplex;
  readonly #ctx: RelayContext;
  /** This connection's challenge until the hello is answered (then released: idle memory). */
  #challenge: Uint8Array | undefined;
  #helloTimer: NodeJS.Timeout | undefined;
  /** Dropped after use: nothing of the handshake stays with an idle connection. */
  #releaseSlot: () => void;
  /** Per connection until the hello; then the queue's shared budget (ws/queue-sockets.ts). */
  #bucket: TokenBucket;
  /** §16.12: this connection's own budget of team signals, on top of the frame budget. */
  readonly #signals: TokenBucket;
  #leaveQueue: () => void = NOTHING;
  #peer: Peer | undefined;
  #queue: QueueKey | undefined;
  #helloSeen = false;
  #sentUpTo = 0;
  /** True while the backlog (or a catch-up with the store) is being sent: live messages are held. */
  #loading = true;
  #live: Held[] = [];
  /** Envelope bytes in #live: bounded like the socket's buffer (slow consumers). */
  #liveBytes = 0;
  /** Fetch rounds started (#sendBacklog); a held message remembers the round it arrived in. */
  #round = 0;
  /** Another round was asked for while one was running. */
  #again = false;
  /** The newest queue head a recheck reported, and the newest one a later round has covered. */
  #wantedHead = 0;
  #checkedUpTo = 0;
  #chain: Promise<void> = Promise.resolve();
  /** Frames queued on #chain and not finished yet; while any are, new frames queue behind them. */
  #waiting = 0;
  #corks = 0;
  alive = true;

  /**
   * `releaseSlot` is called once, at the hello's success or at the close, whichever comes first:
   * server.ts counts unauthenticated connections per address until then (ws/address-slots.ts).
   */
  constructor(ws: WebSocket, ctx: RelayContext, socket: Duplex, releaseSlot: () => void = NOTHING) {
    this.#releaseSlot = releaseSlot;
    this.#ws = ws;
    this.#socket = socket;
    this.#ctx = ctx;
    this.#bucket = new TokenBucket(ctx.config.messagesPerConnectionPerSecond, ctx.now());
    this.#signals = new TokenBucket(ctx.config.teamSignalsPerConnectionPerSecond, ctx.now());
    ws.on('message', (data, isBinary) => {
      this.#onMessage(data, isBinary);
    });
    ws.on('pong', () => {
      this.alive = true;
    });
    ws.on('close', () => {
      this.#closed();
    });
    // Protocol violations ws detects itself (frame past maxPayload, bad masking, invalid UTF-8
    // close reason) end that socket only; without this listener they would crash the relay.
    ws.on('error', (error) => {
      ctx.metrics.reject('ws-protocol');
      ctx.log.info('ws.protocol-error', { error: errorText(error, 80) });
    });
    const challenge = randomSecret();
    this.#challenge = challenge;
    this.#send({ type: 'challenge', challenge });
    this.#helloTimer = setTimeout(() => {
      if (this.#peer === undefined && this.#open()) {
        this.#error('auth-failed', 0);
        this.#ws.close(CLOSE_AUTH_FAILED, 'no hello in time');
      }
    }, HELLO_TIMEOUT_MS);
  }

  push(message: StoredMessage, previous?: number): void {
    if (this.#loading) {
      this.#hold(message, previous);
      return;
    }
    if (previous !== undefined && previous > this.#sentUpTo) {
      // Another node's message before this one has not reached this connection: never deliver
      // past it (the receiver's ack would delete it unseen). Fetch the gap from the store first.
      this.#hold(message, previous);
      this.#catchUp();
      return;
    }
    this.#deliver(message);
  }

  recheck(head: number): void {
    if (this.#queue === undefined || head <= Math.max(this.#sentUpTo, this.#checkedUpTo)) return;
    this.#wantedHead = Math.max(this.#wantedHead, head);
    this.#catchUp();
  }

  stored(requestId: number, cursor: number): void {
    if (this.#open()) this.#writeFramed(encodeStoredFrame(requestId, cursor, STORED_HEADROOM), STORED_HEADROOM);
  }

  storeFailed(requestId: number): void {
    this.#error('storage-failed', requestId);
  }

  queueFull(requestId: number): void {
    this.#error('queue-full', requestId);
  }

  nudge(): void {
    this.#send({ type: 'nudge' });
  }

  teamSignal(author: string, blob: Uint8Array): void {
    this.#send({ type: 'team-signal', author: asDeviceId(idBytesFromHex(author)), blob });
  }

  close(code: number, reason: string): void {
    this.#ws.close(code, reason);
  }

  /**
   * Node's writable.cork(): frames sent until the matching uncork() are written together (one
   * writev). ws writes each frame's header and payload to this same socket.
   */
  cork(): void {
    this.#corks += 1;
    this.#socket.cork();
  }

  uncork(): void {
    if (this.#corks === 0) return;
    this.#corks -= 1;
    this.#socket.uncork();
    // The slow-consumer check is deferred while corked: corked bytes are not yet offered to the
    // kernel, so they would make every busy receiver look slow.
    if (this.#corks === 0) this.#checkSlowConsumer();
  }

  /** Called by the heartbeat: a socket that did not answer the last ping is dead. */
  ping(): void {
    if (!this.alive) {
      this.#ctx.metrics.reject('heartbeat-timeout');
      this.#ws.terminate();
      return;
    }
    this.alive = false;
    this.#ws.ping();
  }

  #onMessage(data: RawData, isBinary: boolean): void {
    this.alive = true;
    // Rate limit before any work (security brief §4: spam limits that need no plaintext).
    if (!this.#bucket.take(this.#ctx.now())) {
      this.#error('rate-limited', 0);
      return;
    }
    if (!isBinary) {
      this.#error('text-frame', 0);
      return;
    }
    let frame: ClientFrame;
    try {
      // A send frame's envelope is a view of `data` (ws does not reuse it); the store copies it.
      frame = decodeClientFrameFast(rawBytes(data));
    } catch (error) {
      this.#error(error instanceof FrameDecodeError ? error.reason : 'malformed-frame', 0);
      return;
    }
    // Frames of one connection are handled strictly in arrival order: at once when nothing is
    // queued and memory has every answer (the per-message path), otherwise behind the queue.
    if (this.#waiting === 0 && this.#handleNow(frame)) return;
    this.#waiting += 1;
    this.#chain = this.#chain
      .then(() => this.#handle(frame))
      .catch((error: unknown) => {
        this.#ctx.log.error('ws.handler-failed', { error: error instanceof Error ? error.name : 'unknown' });
        this.#error('storage-failed', frame.type === 'send' ? frame.requestId : 0);
      })
      .then(() => {
        this.#waiting -= 1;
      });
  }

  /** Handles a send or ack frame synchronously if no store lookup is needed; false otherwise. */
  #handleNow(frame: ClientFrame): boolean {
    if (frame.type === 'ack') {
      if (this.#queue === undefined) return false;
      this.#ack(frame.cursor);
      return true;
    }
    if (frame.type !== 'send' || this.#peer === undefined) return false;
    const route = this.#readRoute(frame);
    if (route === undefined) return true;
    const routing = routeFromCache(this.#ctx.routingCache, this.#peer, route);
    if (routing === undefined) return false;
    this.#accept(frame, routing);
    return true;
  }

  /** The envelope's routing fields, or undefined after answering malformed-envelope. */
  #readRoute(frame: SendFrame): EnvelopeRoute | undefined {
    try {
      return readEnvelopeRoute(frame.envelope);
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
      this.#error('malformed-envelope', frame.requestId);
      return undefined;
    }
  }

  #accept(frame: SendFrame, routing: Routing): void {
    if (!routing.ok) {
      this.#error(routing.error, frame.requestId);
      return;
    }
    this.#ctx.hub.send(this, frame.requestId, {
      queue: routing.queue,
      conversationId: routing.conversationId,
      envelope: frame.envelope,
    });
  }

  /**
   * §16.12: a device connection's team signal goes to the account's other connected devices on
   * this node, as it came, named by the device this connection authenticated as. Not stored.
   */
  #teamSignal(frame: TeamSignalFrame): void {
    const peer = this.#peer;
    if (peer === undefined) {
      this.#error('not-authenticated', 0);
      return;
    }
    if (peer.kind !== 'device') {
      this.#error('forbidden', 0);
      return;
    }
    if (!this.#signals.take(this.#ctx.now())) {
      this.#error('signal-rate-limited', 0);
      return;
    }
    this.#ctx.hub.forwardTeamSignal(peer.accountId, peer.deviceId, frame.blob.slice());
  }

  #ack(cursor: number): void {
    if (this.#queue === undefined) return;
    // Acks beyond what this connection was sent cannot delete anything undelivered.
    this.#ctx.hub.ack(this.#queue, Math.min(cursor, this.#sentUpTo));
  }

  async #handle(frame: ClientFrame): Promise<void> {
    switch (frame.type) {
      case 'hello-device':
      case 'hello-visitor':
        if (this.#helloSeen) {
          this.#error('already-authenticated', 0);
          return;
        }
        this.#helloSeen = true;
        await this.#hello(frame);
        return;
      case 'send': {
        if (this.#peer === undefined) {
          this.#error('not-authenticated', frame.requestId);
          return;
        }
        const route = this.#readRoute(frame);
        if (route === undefined) return;
        this.#accept(frame, await routeEnvelope(this.#ctx.store, this.#peer, route));
        return;
      }
      case 'ack':
        if (this.#queue === undefined) {
          this.#error('not-authenticated', 0);
          return;
        }
        this.#ack(frame.cursor);
        return;
      case 'team-signal':
        this.#teamSignal(frame);
        return;
    }
  }

  async #hello(frame: Extract<ClientFrame, { type: 'hello-device' | 'hello-visitor' }>): Promise<void> {
    const store = this.#ctx.store;
    // One hello per connection (the caller checks): the challenge and the timer are done with.
    const challenge = this.#challenge;
    this.#challenge = undefined;
    clearTimeout(this.#helloTimer);
    this.#helloTimer = undefined;
    let peer: Peer | undefined;
    if (frame.type === 'hello-device') {
      const accountId = idToHex(frame.accountId);
      const deviceId = idToHex(frame.deviceId);
      const key = await store.getDeviceKey(accountId, deviceId);
      if (
        key !== undefined &&
        challenge !== undefined &&
        (await verifyDeviceSignature(key, frame.signature, challenge, frame.accountId, frame.deviceId))
      ) {
        peer = { kind: 'device', accountId, deviceId };
      }
    } else {
      const conversationId = idToHex(frame.conversationId);
      const conversation = await store.getConversation(conversationId);
      if (conversation !== undefined && matchesHash(frame.capability, conversation.capabilityHash)) {
        peer = { kind: 'visitor', accountId: conversation.accountId, conversationId };
      }
    }
    if (peer === undefined || !this.#open()) {
      this.#ctx.log.info('ws.auth-failed', { kind: frame.type });
      this.#error('auth-failed', 0);
      this.#ws.close(CLOSE_AUTH_FAILED, 'authentication failed');
      return;
    }
    if (peer.kind === 'visitor' && (await store.isVisitorBlocked(peer.accountId, peer.conversationId))) {
      // §16.10: a blocked visitor key gets no socket; the widget says so and stops reconnecting.
      this.#ctx.log.info('ws.blocked', { kind: peer.kind });
      this.#error('blocked', 0);
      this.#ws.close(CLOSE_BLOCKED, 'the business blocked this conversation');
      return;
    }
    const queue =
      peer.kind === 'device' ? deviceQueue(peer.accountId, peer.deviceId) : visitorQueue(peer.conversationId);
    const seat = this.#ctx.queueSockets.join(queue, this.#ctx.now());
    if (seat === undefined) {
      // Issue #10 item 5: SEALDESK_SOCKETS_PER_QUEUE per device or conversation.
      this.#ctx.log.info('ws.too-many-connections', { kind: peer.kind });
      this.#error('too-many-connections', 0);
      this.#ws.close(CLOSE_TOO_MANY, 'too many connections for this device or conversation');
      return;
    }
    this.#bucket = seat.bucket;
    this.#leaveQueue = seat.leave;
    this.#peer = peer;
    this.#freeSlot();
    this.#queue = queue;
    this.#sentUpTo = frame.resumeAfter;
    this.#ctx.hub.subscribe(this.#queue, this);
    this.#send({ type: 'ready', role: peer.kind === 'device' ? ROLES.device : ROLES.visitor });
    await this.#sendBacklog(this.#queue);
  }

  /**
   * Held until the backlog is sent: a copy, so as not to keep ws's whole read chunk alive. A
   * consumer that stalls its backlog would otherwise make this grow without bound.
   */
  #hold(message: StoredMessage, previous: number | undefined): void {
    this.#liveBytes += message.envelope.length;
    if (this.#liveBytes > this.#ctx.config.maxBufferedBytes) {
      this.#dropSlowConsumer(this.#ws.bufferedAmount + this.#liveBytes);
      return;
    }
    this.#live.push({
      message: { seq: message.seq, envelope: message.envelope.slice() },
      previous,
      round: this.#round,
    });
  }

  /** Starts a fetch round from the store, or asks the running one for another round. */
  #catchUp(): void {
    const queue = this.#queue;
    if (this.#loading) {
      this.#again = true;
      return;
    }
    if (queue === undefined || !this.#open()) return;
    this.#loading = true;
    this.#ctx.metrics.catchUps += 1;
    this.#sendBacklog(queue).catch((error: unknown) => {
      // The store is unreachable: the client reconnects and resumes from its cursor.
      this.#ctx.log.warn('ws.catch-up-failed', { error: error instanceof Error ? error.name : 'unknown' });
      this.#ws.close(1011, 'store unavailable');
    });
  }

  /**
   * Everything queued after the delivered cursor, page by page, then the live messages that
   * raced; again while a held message shows a gap (shared store) or another round was asked for.
   * A message held before a round started has its predecessor committed before that round's
   * first fetch, so after the round it is delivered without a check (the predecessor was fetched,
   * or it was deleted meanwhile and cannot be delivered anyway).
   */
  async #sendBacklog(queue: QueueKey): Promise<void> {
    for (;;) {
      this.#round += 1;
      const round = this.#round;
      const target = this.#wantedHead;
      this.#takeAgain();
      // Pages bounded by bytes, and the next one only once the socket has taken most of the
      // last: a stalled receiver costs the event loop at most SEALDESK_MAX_BUFFERED_BYTES (item 15).
      const pages = new BacklogPages(this.#ctx.config.maxBufferedBytes / 2);
      for (;;) {
        const limit = pages.limit;
        const page = await this.#ctx.store.fetchQueue(queue, this.#sentUpTo, limit);
        pages.saw(page.map((m) => m.envelope.length));
        this.cork();
        try {
          for (const m of page) this.#deliver(m);
        } finally {
          this.uncork();
        }
        if (page.length < limit || !this.#open()) break;
        while (this.#ws.bufferedAmount > this.#ctx.config.maxBufferedBytes / 2 && this.#open()) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
      this.#checkedUpTo = Math.max(this.#checkedUpTo, target);
      const gap = this.#flushHeld(round);
      const again = this.#takeAgain();
      if ((!gap && !again) || !this.#open()) break;
    }
    this.#loading = false;
  }

  /** Whether another round was asked for since the last call (and clears the request). */
  #takeAgain(): boolean {
    const again = this.#again;
    this.#again = false;
    return again;
  }

  /**
   * Delivers the held messages in order; stops at the first one that arrived during `round` and
   * whose predecessor this connection has not delivered (it and the rest stay held). True then.
   */
  #flushHeld(round: number): boolean {
    const held = this.#live;
    this.#live = [];
    this.#liveBytes = 0;
    this.cork();
    try {
      for (const [i, h] of held.entries()) {
        if (h.round >= round && h.previous !== undefined && h.previous > this.#sentUpTo) {
          this.#live = held.slice(i);
          this.#liveBytes = this.#live.reduce((n, k) => n + k.message.envelope.length, 0);
          return true;
        }
        this.#deliver(h.message);
      }
    } finally {
      this.uncork();
    }
    return false;
  }

  #deliver(message: StoredMessage): void {
    if (message.seq <= this.#sentUpTo) return;
    this.#sentUpTo = message.seq;
    if (this.#open()) {
      const headroom = wsHeaderBytes(DELIVER_PREFIX_BYTES + message.envelope.length);
      this.#writeFramed(encodeDeliverFrame(message.seq, message.envelope, headroom), headroom);
    }
    this.#ctx.metrics.messagesOut += 1;
    if (this.#corks === 0) this.#checkSlowConsumer();
  }

  #checkSlowConsumer(): void {
    if (this.#ws.bufferedAmount > this.#ctx.config.maxBufferedBytes) this.#dropSlowConsumer(this.#ws.bufferedAmount);
  }

  /** Drops the socket; its messages stay queued until it reconnects and acks. */
  #dropSlowConsumer(buffered: number): void {
    if (!this.#open()) return;
    this.#ctx.metrics.reject('slow-consumer');
    this.#ctx.log.warn('ws.slow-consumer', { buffered });
    this.#live = [];
    this.#liveBytes = 0;
    this.#ws.terminate();
  }

  /**
   * Writes a relay frame that was encoded behind `headroom` free bytes as one WebSocket frame:
   * the header goes into the headroom and the whole buffer straight to the socket, which is what
   * ws.send would write for the same frame (unmasked, FIN, binary; perMessageDeflate is off).
   * ws's bufferedAmount still counts it (it reads the socket's buffer).
   */
  #writeFramed(frame: Uint8Array, headroom: number): void {
    const payloadLength = frame.length - headroom;
    if (wsHeaderBytes(payloadLength) !== headroom)
      throw new RangeError(`headroom ${headroom} does not fit a ${payloadLength}-byte payload`);
    writeWsHeader(frame, payloadLength);
    this.#socket.write(frame);
  }

  #error(name: FrameErrorName, requestId: number): void {
    this.#ctx.metrics.reject(name);
    this.#send({ type: 'error', requestId, code: FRAME_ERRORS[name] });
  }

  #send(frame: RelayFrame): void {
    if (!this.#open()) return;
    this.#ws.send(encodeRelayFrame(frame), { binary: true });
  }

  #open(): boolean {
    return this.#ws.readyState === this.#ws.OPEN;
  }

  #freeSlot(): void {
    this.#releaseSlot();
    this.#releaseSlot = NOTHING;
  }

  #closed(): void {
    this.#freeSlot();
    this.#leaveQueue();
    this.#leaveQueue = NOTHING;
    clearTimeout(this.#helloTimer);
    this.#ctx.metrics.connections -= 1;
    if (this.#queue !== undefined) this.#ctx.hub.unsubscribe(this.#queue, this);
  }
}
