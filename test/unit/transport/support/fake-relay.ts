/**
 * A scripted relay for unit tests of the transport: WebSocketLike sockets whose "server side"
 * the test drives frame by frame (shared/wire codecs, so every frame is a real §16 frame), and
 * virtual timers that run only when the test advances the clock.
 */
import type {
  CloseEventLike,
  MessageEventLike,
  Timers,
  WebSocketConstructor,
  WebSocketLike,
} from '../../../../shared/transport/index.js';
import {
  type ClientFrame,
  type RelayFrame,
  decodeClientFrame,
  encodeRelayFrame,
} from '../../../../shared/wire/index.js';

/** Lets promise chains and the memory store's awaits run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

export class VirtualTimers implements Timers {
  #now = 1_000_000;
  #next = 0;
  readonly #pending = new Map<number, { at: number; callback: () => void }>();

  now(): number {
    return this.#now;
  }

  after(ms: number, callback: () => void): () => void {
    const id = this.#next++;
    this.#pending.set(id, { at: this.#now + ms, callback });
    return () => {
      this.#pending.delete(id);
    };
  }

  /** Moves the clock forward by `ms`, running each timer due on the way (and what it causes). */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    for (;;) {
      let dueId: number | undefined;
      let due: { at: number; callback: () => void } | undefined;
      for (const [id, t] of this.#pending) {
        if (t.at <= target && (due === undefined || t.at < due.at)) {
          dueId = id;
          due = t;
        }
      }
      if (due === undefined || dueId === undefined) break;
      this.#pending.delete(dueId);
      this.#now = Math.max(this.#now, due.at);
      due.callback();
      await settle();
    }
    this.#now = target;
    await settle();
  }
}

export class FakeSocket implements WebSocketLike {
  binaryType = 'blob';
  readyState = 0;
  bufferedAmount = 0;
  onopen: ((event: never) => void) | null = null;
  onmessage: ((event: never) => void) | null = null;
  onclose: ((event: never) => void) | null = null;
  onerror: ((event: never) => void) | null = null;
  /** Client frames, decoded. */
  readonly sent: ClientFrame[] = [];
  closedWith: number | undefined;

  constructor(readonly url: string) {}

  send(data: Uint8Array<ArrayBuffer>): void {
    if (this.readyState !== 1) throw new Error('send on a socket that is not open');
    this.sent.push(decodeClientFrame(data));
  }

  close(code = 1000): void {
    if (this.readyState >= 2) return;
    this.readyState = 3;
    this.closedWith = code;
    queueMicrotask(() => {
      this.#fireClose(code);
    });
  }

  // ---- the relay's side ----

  /** Opens the socket and sends the challenge (PROTOCOL §16.3.1). */
  accept(challenge = new Uint8Array(32).fill(7)): void {
    this.readyState = 1;
    (this.onopen as ((e: unknown) => void) | null)?.({});
    this.deliverFrame({ type: 'challenge', challenge });
  }

  deliverFrame(frame: RelayFrame): void {
    this.deliverBytes(encodeRelayFrame(frame));
  }

  deliverBytes(bytes: Uint8Array): void {
    const data = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    (this.onmessage as ((e: MessageEventLike) => void) | null)?.({ data });
  }

  /** The relay (or the network) closes the connection. */
  drop(code = 1006): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.#fireClose(code);
  }

  of<T extends ClientFrame['type']>(type: T): Extract<ClientFrame, { type: T }>[] {
    return this.sent.filter((f): f is Extract<ClientFrame, { type: T }> => f.type === type);
  }

  #fireClose(code: number): void {
    (this.onclose as ((e: CloseEventLike) => void) | null)?.({ code, reason: '' });
  }
}

export class FakeNetwork {
  readonly sockets: FakeSocket[] = [];
  readonly WebSocket: WebSocketConstructor;

  constructor() {
    const sockets = this.sockets;
    this.WebSocket = class extends FakeSocket {
      constructor(url: string) {
        super(url);
        sockets.push(this);
      }
    };
  }

  last(): FakeSocket {
    const s = this.sockets.at(-1);
    if (s === undefined) throw new Error('no socket opened yet');
    return s;
  }
}
