/**
 * A minimal relay client for the benchmark, speaking the relay protocol of docs/PROTOCOL.md §16
 * with shared/wire: wait for the challenge (§16.3.1), answer with hello-device (an Ed25519
 * signature over deviceAuthMessage, §16.5) or hello-visitor (the conversation capability), wait
 * for ready (§16.3.2); then send frames out and deliver/stored/error frames in. A receiver
 * acknowledges the highest delivered cursor with the ack pacing of §16.2 (ACK_MAX_UNACKED
 * deliveries or ACK_MAX_DELAY_MS, whichever first), as every Sealdesk client does.
 */
import WebSocket from 'ws';
import {
  ACK_MAX_DELAY_MS,
  ACK_MAX_UNACKED,
  FRAME_VERSION,
  RELAY_FRAME_TYPES,
  type RelayFrame,
  decodeEnvelope,
  decodeRelayFrame,
  deviceAuthMessage,
  encodeClientFrame,
} from '../../shared/wire/index.js';
import { deliverFastPath } from './deliver-fast-path.js';
import type { DeviceIdentity, VisitorTicket } from './relay-setup.js';
import { BenchError } from './bench-error.js';

export const RELAY_WS_PATH = '/v1/ws';
const HANDSHAKE_TIMEOUT_MS = 15_000;
const FULL_DECODE_EVERY = 64;
const STORED_FRAME_BYTES = 2 + 4 + 8;

export interface RelayClientEvents {
  /** The body of each delivered envelope (decoded strictly, as a real client would). */
  readonly onBody: (body: Uint8Array) => void;
  /** Any error frame or unexpected close. */
  readonly onProblem: (what: string) => void;
}

function bytesOf(data: WebSocket.RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  return data instanceof ArrayBuffer
    ? new Uint8Array(data)
    : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

export class RelayClient {
  readonly #ws: WebSocket;
  readonly #events: RelayClientEvents;
  #ackCursor = 0;
  #unacked = 0;
  #ackTimer: NodeJS.Timeout | undefined;
  #closing = false;
  #delivered = 0;
  stored = 0;

  private constructor(ws: WebSocket, events: RelayClientEvents) {
    this.#ws = ws;
    this.#events = events;
  }

  /** Connects and authenticates; resolves once the relay sent `ready`. */
  static async connect(
    wsUrl: string,
    who: { device: DeviceIdentity } | { visitor: VisitorTicket },
    events: RelayClientEvents,
  ): Promise<RelayClient> {
    const ws = new WebSocket(wsUrl, { perMessageDeflate: false });
    const client = new RelayClient(ws, events);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new BenchError('relay handshake timed out'));
        ws.terminate();
      }, HANDSHAKE_TIMEOUT_MS);
      const fail = (what: string): void => {
        clearTimeout(timer);
        reject(new BenchError(`relay handshake failed: ${what}`));
      };
      ws.on('error', (error) => {
        fail(error.message);
        events.onProblem('socket-error');
      });
      ws.on('close', (code) => {
        if (!client.#closing) {
          fail(`closed with ${code}`);
          events.onProblem(`closed-${code}`);
        }
      });
      let ready = false;
      ws.on('message', (data) => {
        const bytes = bytesOf(data);
        if (ready && client.#onFast(bytes)) return;
        let frame: RelayFrame;
        try {
          frame = decodeRelayFrame(bytes);
        } catch {
          events.onProblem('malformed-relay-frame');
          return;
        }
        if (ready) {
          client.#onFrame(frame);
          return;
        }
        if (frame.type === 'challenge') {
          void client.#hello(frame.challenge, who).catch((error: unknown) => {
            fail(error instanceof Error ? error.message : 'signing failed');
          });
        } else if (frame.type === 'ready') {
          ready = true;
          clearTimeout(timer);
          resolve();
        } else {
          fail(`unexpected ${frame.type} frame${frame.type === 'error' ? ` (code ${frame.code})` : ''}`);
        }
      });
    });
    return client;
  }

  async #hello(challenge: Uint8Array, who: { device: DeviceIdentity } | { visitor: VisitorTicket }): Promise<void> {
    if ('device' in who) {
      const { accountId, deviceId, signingKey } = who.device;
      const signature = new Uint8Array(
        await crypto.subtle.sign(
          { name: 'Ed25519' },
          signingKey,
          new Uint8Array(deviceAuthMessage(challenge, accountId, deviceId)),
        ),
      );
      this.#ws.send(encodeClientFrame({ type: 'hello-device', accountId, deviceId, signature, resumeAfter: 0 }));
      return;
    }
    const { conversationId, capability } = who.visitor;
    this.#ws.send(encodeClientFrame({ type: 'hello-visitor', conversationId, capability, resumeAfter: 0 }));
  }

  /**
   * Deliver frames are checked by header and lengths only (a full decode costs the generator
   * about as much CPU as the relay spends per message); every FULL_DECODE_EVERY-th one is also
   * decoded strictly and compared, so a malformed frame cannot go unnoticed for long.
   */
  #onFast(bytes: Uint8Array): boolean {
    // §16.3.3: a stored frame is exactly header + requestId u32 + cursor u64; only counted here.
    if (bytes.length === STORED_FRAME_BYTES && bytes[0] === FRAME_VERSION && bytes[1] === RELAY_FRAME_TYPES.stored) {
      this.stored += 1;
      return true;
    }
    const fast = deliverFastPath(bytes);
    if (fast === undefined) return false;
    this.#delivered += 1;
    if (this.#delivered % FULL_DECODE_EVERY === 0) {
      const frame = decodeRelayFrame(bytes);
      const body = frame.type === 'deliver' ? decodeEnvelope(frame.envelope).body : undefined;
      if (
        frame.type !== 'deliver' ||
        frame.cursor !== fast.cursor ||
        body === undefined ||
        Buffer.compare(body, fast.body) !== 0
      ) {
        this.#events.onProblem('fast-path-mismatch');
      }
    }
    this.#events.onBody(fast.body);
    this.#scheduleAck(fast.cursor);
    return true;
  }

  #onFrame(frame: RelayFrame): void {
    switch (frame.type) {
      case 'deliver':
        this.#events.onBody(decodeEnvelope(frame.envelope).body);
        this.#scheduleAck(frame.cursor);
        return;
      case 'stored':
        this.stored += 1;
        return;
      case 'error':
        this.#events.onProblem(`error-${frame.code}`);
        return;
      case 'challenge':
      case 'ready':
        this.#events.onProblem(`unexpected-${frame.type}`);
        return;
    }
  }

  #scheduleAck(cursor: number): void {
    this.#ackCursor = Math.max(this.#ackCursor, cursor);
    this.#unacked += 1;
    if (this.#unacked >= ACK_MAX_UNACKED) {
      this.#sendAck();
      return;
    }
    this.#ackTimer ??= setTimeout(() => {
      this.#sendAck();
    }, ACK_MAX_DELAY_MS);
  }

  #sendAck(): void {
    clearTimeout(this.#ackTimer);
    this.#ackTimer = undefined;
    this.#unacked = 0;
    if (this.#ws.readyState === WebSocket.OPEN)
      this.#ws.send(encodeClientFrame({ type: 'ack', cursor: this.#ackCursor }));
  }

  /** Sends an already encoded client frame (a send frame, §16.2.3). */
  sendFrame(frame: Uint8Array): void {
    this.#ws.send(frame, { binary: true });
  }

  close(): Promise<void> {
    this.#closing = true;
    clearTimeout(this.#ackTimer);
    if (this.#ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#ws.terminate();
        resolve();
      }, 2_000);
      this.#ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.#ws.close(1000, 'bench done');
    });
  }
}
