/**
 * One WebSocket to the relay, from open to close (PROTOCOL §16): wait for `challenge`, send the
 * hello, wait for `ready`, then hand each relay frame to the listener. Relay frames are decoded
 * strictly (the relay is not trusted); a frame that does not decode, or a handshake frame after
 * `ready`, closes the socket with BadResponseError. Reconnecting is relay-connection.ts's job.
 */
import { type ClientFrame, type DeviceId, FRAME_ERRORS, type RelayFrame, encodeClientFrame } from '../../wire/index.js';
import { errorFromClose, errorFromFrame } from '../error-mapping.js';
import {
  type CloseEventLike,
  type MessageEventLike,
  SOCKET_OPEN,
  type Timers,
  type WebSocketConstructor,
  type WebSocketLike,
} from '../ports.js';
import { AbortedError, BadResponseError, type RelayError, TimeoutError, UnreachableError } from '../relay-errors.js';
import { type Hello, helloFrame } from './hello.js';
import { decodeRelayFrameFast } from './relay-frame-fast.js';

/** What the socket reports after `ready`; called synchronously from the socket's events. */
export interface SocketListener {
  /** A deliver frame (§16.3.4); `envelope` is a view of the received message (copy it to keep it beyond the call's work). */
  deliver(cursor: number, envelope: Uint8Array): void;
  /** A stored frame (§16.3.3). */
  stored(requestId: number, cursor: number): void;
  /** An error frame (§16.3.5); requestId 0 when it is not about one send. */
  refused(requestId: number, code: number): void;
  /** A nudge frame (§16.11): the account's history changed. */
  nudge(): void;
  /** A team-signal frame (§16.12): `author` as the relay names it (not trusted), the opaque blob. */
  teamSignal(author: DeviceId, blob: Uint8Array): void;
  /** Called once when the socket is gone, with the reason (UnreachableError for a plain drop). */
  closed(error: RelayError): void;
}

export interface OpenSocketOptions {
  /** `wss://relay.example/v1/ws`. */
  readonly url: string;
  readonly WebSocket: WebSocketConstructor;
  readonly timers: Timers;
  readonly hello: Hello;
  /** The highest cursor already processed (§16.2 resumeAfter). */
  readonly resumeAfter: number;
  /** From opening the socket to `ready`. */
  readonly handshakeTimeoutMs: number;
  readonly listener: SocketListener;
  readonly signal?: AbortSignal;
}

/** A close code of this client's own: the relay broke the protocol, or a send went unanswered. */
export const CLOSE_CLIENT_GAVE_UP = 4000;

/** The bytes of a binary message (ArrayBuffer in browsers; Buffer/ArrayBuffer from `ws`). */
function messageBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (data instanceof Uint8Array) return data;
  return undefined;
}

/** A frame for WebSocket.send: the encoders return fresh ArrayBuffer-backed arrays; anything else is copied. */
function sendable(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
}

export class RelaySocket {
  readonly #ws: WebSocketLike;
  #listener: SocketListener | undefined;
  #closed = false;

  private constructor(ws: WebSocketLike) {
    this.#ws = ws;
  }

  /** Opens, authenticates and resolves once the relay sent `ready`; rejects with a RelayError. */
  static open(options: OpenSocketOptions): Promise<RelaySocket> {
    return new Promise((resolve, reject) => {
      if (options.signal?.aborted === true) {
        reject(new AbortedError('connecting to the relay: aborted'));
        return;
      }
      let ws: WebSocketLike;
      try {
        ws = new options.WebSocket(options.url);
        ws.binaryType = 'arraybuffer';
      } catch (error) {
        reject(new UnreachableError('connecting to the relay: the WebSocket could not be created', { cause: error }));
        return;
      }
      const socket = new RelaySocket(ws);
      let settled = false;
      let refusal: RelayError | undefined;
      const fail = (error: RelayError): void => {
        if (settled) return;
        settled = true;
        cancelTimer();
        options.signal?.removeEventListener('abort', onAbort);
        socket.#shut(CLOSE_CLIENT_GAVE_UP, error.code);
        reject(error);
      };
      const onAbort = (): void => {
        fail(new AbortedError('connecting to the relay: aborted'));
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const cancelTimer = options.timers.after(options.handshakeTimeoutMs, () => {
        fail(new TimeoutError(`connecting to the relay: no ready within ${options.handshakeTimeoutMs} ms`));
      });
      ws.onerror = () => {
        // The close event follows with the code; nothing to decide here.
      };
      ws.onclose = (event: CloseEventLike) => {
        if (settled) {
          socket.#onClose(event.code);
          return;
        }
        fail(
          refusal ??
            errorFromClose(event.code) ??
            new UnreachableError(`connecting to the relay: the connection closed (${event.code})`),
        );
      };
      let challenged = false;
      let helloSent = false;
      ws.onmessage = (event: MessageEventLike) => {
        if (settled) {
          socket.#onMessage(event.data);
          return;
        }
        let frame: RelayFrame;
        try {
          frame = socket.#decode(event.data);
        } catch (error) {
          fail(error as RelayError);
          return;
        }
        if (frame.type === 'challenge' && !challenged) {
          challenged = true;
          helloFrame(options.hello, frame.challenge, options.resumeAfter).then(
            (hello) => {
              if (settled) return;
              socket.#write(hello);
              helloSent = true;
            },
            (error: unknown) => {
              fail(new UnreachableError('connecting to the relay: the hello could not be signed', { cause: error }));
            },
          );
        } else if (frame.type === 'ready' && helloSent) {
          settled = true;
          cancelTimer();
          options.signal?.removeEventListener('abort', onAbort);
          socket.#listener = options.listener;
          resolve(socket);
        } else if (
          frame.type === 'error' &&
          (frame.code === FRAME_ERRORS['auth-failed'] || frame.code === FRAME_ERRORS.blocked)
        ) {
          // §16.4: the relay closes with 4401 (4403 when blocked, §16.10) next; the close settles the handshake.
          refusal = errorFromFrame(frame.code, 0);
        } else {
          fail(new BadResponseError(`connecting to the relay: unexpected ${frame.type} frame in the handshake`));
        }
      };
    });
  }

  get open(): boolean {
    return !this.#closed && this.#ws.readyState === SOCKET_OPEN;
  }

  /** Bytes queued by the WebSocket and not yet handed to the network. */
  get bufferedAmount(): number {
    return this.#ws.bufferedAmount;
  }

  /** Sends one envelope (§16.2 send); the answer comes as `stored` or `refused` with the same requestId. */
  send(requestId: number, envelope: Uint8Array): void {
    this.#write({ type: 'send', requestId, envelope });
  }

  /** §16.2 ack: everything up to `cursor` is processed. */
  ack(cursor: number): void {
    this.#write({ type: 'ack', cursor });
  }

  /** §16.12: one team signal for the account's other connected devices (no answer unless refused). */
  teamSignal(blob: Uint8Array): void {
    this.#write({ type: 'team-signal', blob });
  }

  /** Sends an already encoded client frame as it is. */
  sendFrame(frame: Uint8Array): void {
    if (this.open) this.#ws.send(sendable(frame));
  }

  /** Closes the socket; the listener hears `closed` with `error` (default: AbortedError). */
  close(error: RelayError = new AbortedError('the connection was closed by this client')): void {
    if (this.#closed) return;
    this.#shut(error instanceof AbortedError ? 1000 : CLOSE_CLIENT_GAVE_UP, error.code);
    this.#finish(error);
  }

  #write(frame: ClientFrame): void {
    if (this.open) this.#ws.send(sendable(encodeClientFrame(frame)));
  }

  #decode(data: unknown): RelayFrame {
    const bytes = messageBytes(data);
    if (bytes === undefined) throw new BadResponseError('the relay sent a text message; only binary frames exist');
    try {
      return decodeRelayFrameFast(bytes);
    } catch (error) {
      throw new BadResponseError('the relay sent a frame that does not decode (PROTOCOL §16.3)', { cause: error });
    }
  }

  #onMessage(data: unknown): void {
    const listener = this.#listener;
    if (listener === undefined || this.#closed) return;
    let frame: RelayFrame;
    try {
      frame = this.#decode(data);
    } catch (error) {
      this.close(error as RelayError);
      return;
    }
    switch (frame.type) {
      case 'deliver':
        listener.deliver(frame.cursor, frame.envelope);
        return;
      case 'stored':
        listener.stored(frame.requestId, frame.cursor);
        return;
      case 'error':
        listener.refused(frame.requestId, frame.code);
        return;
      case 'nudge':
        listener.nudge();
        return;
      case 'team-signal':
        listener.teamSignal(frame.author, frame.blob);
        return;
      case 'challenge':
      case 'ready':
        this.close(new BadResponseError(`the relay sent a ${frame.type} frame after ready`));
        return;
    }
  }

  #onClose(code: number): void {
    if (this.#closed) return;
    this.#finish(errorFromClose(code) ?? new UnreachableError(`the connection to the relay closed (${code})`));
  }

  #finish(error: RelayError): void {
    this.#closed = true;
    const listener = this.#listener;
    this.#listener = undefined;
    listener?.closed(error);
  }

  #shut(code: number, reason: string): void {
    this.#ws.onmessage = null;
    try {
      this.#ws.close(code, reason);
    } catch {
      // Already closing or closed.
    }
  }
}
