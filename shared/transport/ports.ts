/**
 * What the transport needs from its platform, injected so the same code runs in a page, an MV3
 * service worker and Node: fetch, the WebSocket constructor, timers with a clock, randomness.
 * The browser's own objects fit these types; in Node, global fetch and the `ws` package do.
 */

/** `fetch` as the platform provides it. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** The fields of a WebSocket message event the transport reads. */
export interface MessageEventLike {
  readonly data: unknown;
}

/** The fields of a WebSocket close event the transport reads. */
export interface CloseEventLike {
  readonly code: number;
  readonly reason: string;
}

/**
 * The part of the WHATWG WebSocket the transport uses. The handler parameters are typed `never`
 * so that both the DOM WebSocket and `ws` fit; the transport reads events as MessageEventLike and
 * CloseEventLike and checks `data` at run time.
 */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  readonly bufferedAmount: number;
  onopen: ((event: never) => void) | null;
  onmessage: ((event: never) => void) | null;
  onclose: ((event: never) => void) | null;
  onerror: ((event: never) => void) | null;
  send(data: Uint8Array<ArrayBuffer>): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** WebSocket.OPEN in every implementation. */
export const SOCKET_OPEN = 1;

/** Cancels a timer set with `Timers.after`; calling it again does nothing. */
export type Cancel = () => void;

/** Timers and the clock (milliseconds). Tests pass a virtual clock. */
export interface Timers {
  now(): number;
  after(ms: number, callback: () => void): Cancel;
}

/** The platform's timers and Date.now. */
export const systemTimers: Timers = {
  now: () => Date.now(),
  after(ms, callback) {
    const handle = setTimeout(callback, ms);
    return () => {
      clearTimeout(handle);
    };
  },
};
