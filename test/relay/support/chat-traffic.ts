/**
 * Clients for the multi-node tests that behave as real ones do when a relay node fails: a visitor
 * that resends what was not confirmed `stored` (on `storage-failed` or after reconnecting), and a
 * device that resumes after the last cursor it processed and acknowledges with the ack pacing of
 * docs/PROTOCOL.md §16.2. Both can reconnect to any node. The receiver records every problem a
 * user would notice: a cursor that does not move forward (a message shown twice by the relay) and,
 * checked by the test, a confirmed message that never arrives.
 */
import {
  ACK_MAX_DELAY_MS,
  ACK_MAX_UNACKED,
  FRAME_ERRORS,
  type RelayFrame,
  decodeEnvelope,
} from '../../../shared/wire/index.js';
import { type Conversation, type Device, connectDevice, connectVisitor, envelope } from './relay-api.js';
import type { TestClient } from './ws-client.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Calls `onFrame` for every frame the client has received and will receive (in order, once each). */
function follow(client: TestClient, onFrame: (frame: RelayFrame) => void): void {
  let done = 0;
  const drain = (): void => {
    while (done < client.frames.length) {
      const frame = client.frames[done];
      done += 1;
      if (frame !== undefined) onFrame(frame);
    }
  };
  drain();
  client.ws.on('message', drain);
}

export class ResendingSender {
  /** Payload id -> how many times it was sent. */
  readonly attempts = new Map<string, number>();
  readonly confirmed = new Set<string>();
  #client: TestClient | undefined;
  readonly #conversation: Conversation;
  readonly #deviceId: string;
  readonly #inFlight = new Map<number, string>();
  #nextRequest = 1;
  #toResend: string[] = [];

  constructor(conversation: Conversation, deviceId: string) {
    this.#conversation = conversation;
    this.#deviceId = deviceId;
  }

  get connected(): boolean {
    return this.#client !== undefined && this.#client.closeCode === undefined;
  }

  /** Connects (again) and resends everything not confirmed yet. */
  async connect(wsUrl: string): Promise<void> {
    const client = await connectVisitor(wsUrl, this.#conversation);
    this.#client = client;
    // Whatever was in flight on the old connection may or may not have been stored.
    this.#toResend.push(...this.#inFlight.values());
    this.#inFlight.clear();
    follow(client, (frame) => {
      if (frame.type === 'stored') {
        const id = this.#inFlight.get(frame.requestId);
        this.#inFlight.delete(frame.requestId);
        if (id !== undefined) this.confirmed.add(id);
      } else if (frame.type === 'error' && frame.code === FRAME_ERRORS['storage-failed']) {
        const id = this.#inFlight.get(frame.requestId);
        this.#inFlight.delete(frame.requestId);
        if (id !== undefined) this.#toResend.push(id);
      }
    });
    const again = [...new Set(this.#toResend)].filter((id) => !this.confirmed.has(id));
    this.#toResend = [];
    for (const id of again) this.send(id);
  }

  send(id: string): void {
    const client = this.#client;
    this.attempts.set(id, (this.attempts.get(id) ?? 0) + 1);
    if (client === undefined || client.closeCode !== undefined) {
      this.#toResend.push(id);
      return;
    }
    const requestId = this.#nextRequest++;
    this.#inFlight.set(requestId, id);
    client.send({
      type: 'send',
      requestId,
      envelope: envelope(this.#conversation.conversationId, { device: this.#deviceId }, encoder.encode(id)),
    });
  }

  /** Sends again what a storage-failed answer returned (the connection stays open). */
  resendFailed(): void {
    const failed = [...new Set(this.#toResend)].filter((id) => !this.confirmed.has(id));
    if (failed.length === 0 || !this.connected) return;
    this.#toResend = [];
    for (const id of failed) this.send(id);
  }

  async close(): Promise<void> {
    await this.#client?.close();
  }
}

export class CheckingReceiver {
  /** The last cursor processed: where a reconnect resumes. */
  cursor = 0;
  /** Payload id -> how many times it was delivered. */
  readonly seen = new Map<string, number>();
  readonly problems: string[] = [];
  #client: TestClient | undefined;
  readonly #device: Device;
  #unacked = 0;
  #ackTimer: NodeJS.Timeout | undefined;

  constructor(device: Device) {
    this.#device = device;
  }

  get connected(): boolean {
    return this.#client !== undefined && this.#client.closeCode === undefined;
  }

  get closeCode(): number | undefined {
    return this.#client?.closeCode;
  }

  async connect(wsUrl: string): Promise<void> {
    const client = await connectDevice(wsUrl, this.#device, this.cursor);
    this.#client = client;
    follow(client, (frame) => {
      if (frame.type !== 'deliver') return;
      if (frame.cursor <= this.cursor) {
        this.problems.push(`cursor ${frame.cursor} delivered after ${this.cursor}`);
        return;
      }
      this.cursor = frame.cursor;
      const id = decoder.decode(decodeEnvelope(frame.envelope).body);
      this.seen.set(id, (this.seen.get(id) ?? 0) + 1);
      this.#paceAck(client);
    });
  }

  async close(): Promise<void> {
    clearTimeout(this.#ackTimer);
    await this.#client?.close();
  }

  #paceAck(client: TestClient): void {
    this.#unacked += 1;
    const ack = (): void => {
      clearTimeout(this.#ackTimer);
      this.#ackTimer = undefined;
      this.#unacked = 0;
      if (client.closeCode === undefined) client.send({ type: 'ack', cursor: this.cursor });
    };
    if (this.#unacked >= ACK_MAX_UNACKED) ack();
    else this.#ackTimer ??= setTimeout(ack, ACK_MAX_DELAY_MS);
  }
}

/** Checks one sender/receiver pair after a run: what a user of either would have noticed. */
export function pairProblems(sender: ResendingSender, receiver: CheckingReceiver): string[] {
  const problems = [...receiver.problems];
  const lost = [...sender.confirmed].filter((id) => !receiver.seen.has(id));
  if (lost.length > 0) problems.push(`confirmed but never delivered: ${lost.slice(0, 5).join(', ')} (${lost.length})`);
  for (const [id, times] of receiver.seen) {
    const sent = sender.attempts.get(id) ?? 0;
    if (sent === 0) problems.push(`delivered but never sent: ${id}`);
    // A second copy can only come from a resend of an unconfirmed send (the client drops it by id).
    else if (times > sent) problems.push(`${id} delivered ${times} times, sent ${sent}`);
  }
  return problems;
}
