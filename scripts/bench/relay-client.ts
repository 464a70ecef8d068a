/**
 * The benchmark's relay client, on shared/transport's own socket: RelaySocket does the handshake
 * of docs/PROTOCOL.md §16 (challenge, hello-device signed over deviceAuthMessage §16.5 or
 * hello-visitor with the capability, ready) and reads every relay frame as strictly as
 * decodeRelayFrame (its deliver/stored fast path is property-tested against it); AckPacer acks
 * with the pacing of §16.2, as every Sealdesk client does. Bodies are read by offsets
 * (envelope-body-fast.ts), checked against the strict decodeEnvelope every FULL_DECODE_EVERY-th
 * delivery. Sends are frames the topology encoded beforehand (only requestId and stamp change).
 */
import WebSocket from 'ws';
import {
  AckPacer,
  type Hello,
  type RelayError,
  RelaySocket,
  type SocketListener,
  type WebSocketConstructor,
  ed25519Signer,
  systemTimers,
} from '../../shared/transport/index.js';
import { decodeEnvelope } from '../../shared/wire/index.js';
import type { DeviceIdentity, VisitorTicket } from './relay-setup.js';
import { BenchError } from './bench-error.js';
import { envelopeBodyFast } from './envelope-body-fast.js';

export const RELAY_WS_PATH = '/v1/ws';
const HANDSHAKE_TIMEOUT_MS = 15_000;
const FULL_DECODE_EVERY = 64;

export interface RelayClientEvents {
  /** The body of each delivered envelope (decoded strictly, as a real client would). */
  readonly onBody: (body: Uint8Array) => void;
  /** Any error frame or unexpected close. */
  readonly onProblem: (what: string) => void;
}

/** `ws` without compression (the relay offers none), as the transport's WebSocket. */
const BenchWebSocket: WebSocketConstructor = class extends WebSocket {
  constructor(url: string) {
    super(url, { perMessageDeflate: false });
  }
};

function helloOf(who: { device: DeviceIdentity } | { visitor: VisitorTicket }): Hello {
  if ('device' in who) {
    const { accountId, deviceId, signingKey } = who.device;
    return { kind: 'device', device: { accountId, deviceId, sign: ed25519Signer(signingKey) } };
  }
  return { kind: 'visitor', conversationId: who.visitor.conversationId, capability: who.visitor.capability };
}

export class RelayClient {
  readonly #socket: RelaySocket;
  readonly #state: { closing: boolean };
  readonly #pacer: AckPacer;
  readonly #stored: { count: number };

  private constructor(socket: RelaySocket, state: { closing: boolean }, pacer: AckPacer, stored: { count: number }) {
    this.#socket = socket;
    this.#state = state;
    this.#pacer = pacer;
    this.#stored = stored;
  }

  /** `stored` frames received (the relay's answers to this client's sends). */
  get stored(): number {
    return this.#stored.count;
  }

  /** Connects and authenticates; resolves once the relay sent `ready`. */
  static async connect(
    wsUrl: string,
    who: { device: DeviceIdentity } | { visitor: VisitorTicket },
    events: RelayClientEvents,
  ): Promise<RelayClient> {
    // Deliveries may arrive in the same read as `ready`, before `open` resolves: the listener
    // reaches the socket through this holder.
    const holder: { socket?: RelaySocket } = {};
    const state = { closing: false };
    const stored = { count: 0 };
    let delivered = 0;
    const bodyOf = (envelope: Uint8Array): Uint8Array | undefined => {
      delivered += 1;
      const fast = envelopeBodyFast(envelope);
      if (fast !== undefined && delivered % FULL_DECODE_EVERY !== 0) return fast;
      try {
        const strict = decodeEnvelope(envelope).body;
        if (fast !== undefined && Buffer.compare(fast, strict) !== 0) events.onProblem('fast-path-mismatch');
        return strict;
      } catch {
        events.onProblem('malformed-envelope');
        return undefined;
      }
    };
    const pacer = new AckPacer(systemTimers, (cursor) => {
      holder.socket?.ack(cursor);
    });
    const listener: SocketListener = {
      deliver(cursor, envelope) {
        const body = bodyOf(envelope);
        if (body !== undefined) events.onBody(body);
        pacer.processed(cursor);
      },
      stored() {
        stored.count += 1;
      },
      refused(_requestId, code) {
        events.onProblem(`error-${code}`);
      },
      nudge() {
        // §16.11: the benchmark reads no history.
      },
      teamSignal() {
        // §16.12: the benchmark sends no team signals.
      },
      closed(error: RelayError) {
        if (!state.closing) events.onProblem(`closed-${error.code}`);
      },
    };
    try {
      holder.socket = await RelaySocket.open({
        url: wsUrl,
        WebSocket: BenchWebSocket,
        timers: systemTimers,
        hello: helloOf(who),
        resumeAfter: 0,
        handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS,
        listener,
      });
    } catch (error) {
      events.onProblem('handshake-failed');
      throw new BenchError(`relay handshake failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    return new RelayClient(holder.socket, state, pacer, stored);
  }

  /** Sends an already encoded client frame (a send frame, §16.2.3). */
  sendFrame(frame: Uint8Array): void {
    this.#socket.sendFrame(frame);
  }

  close(): Promise<void> {
    this.#state.closing = true;
    this.#pacer.flush();
    this.#socket.close();
    return Promise.resolve();
  }
}
