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
import {
  type Account,
  type Conversation,
  type Device,
  connectDevice,
  connectVisitor,
  enrolDevice,
  envelope,
  openConversation,
} from './relay-api.js';
import type { RelayProcess } from './relay-process.js';
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

/** The client, if it reached `ready`; otherwise it is closed and this throws (the caller retries). */
async function ready(client: TestClient): Promise<TestClient> {
  if (client.of('ready').length > 0 && client.closeCode === undefined) return client;
  await client.close();
  throw new Error(`hello refused: ${JSON.stringify(client.of('error').map((e) => e.code))}`);
}

export class ResendingSender {
  /** Payload id -> how many times it was sent. */
  readonly attempts = new Map<string, number>();
  readonly confirmed = new Set<string>();
  /** Connections that reached `ready`. */
  connects = 0;
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
    const client = await ready(await connectVisitor(wsUrl, this.#conversation));
    this.#client = client;
    this.connects += 1;
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
  /** Connections that reached `ready`. */
  connects = 0;
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
    const client = await ready(await connectDevice(wsUrl, this.#device, this.cursor));
    this.#client = client;
    this.connects += 1;
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

export interface Pair {
  readonly sender: ResendingSender;
  readonly receiver: CheckingReceiver;
}

interface Roaming {
  readonly connected: boolean;
  connect(wsUrl: string): Promise<void>;
}

/**
 * Keeps clients connected as real ones do while nodes fail: every 50 ms, a client whose socket
 * closed (or never reached `ready`) connects to the next node still running, and senders resend
 * what a storage-failed answer returned. `stop()` ends it.
 */
export function keepConnected(pairs: readonly Pair[], nodes: () => readonly RelayProcess[]): { stop(): void } {
  const busy = new Set<Roaming>();
  let spread = 0;
  const timer = setInterval(() => {
    const live = nodes().filter((n) => n.child.exitCode === null && n.child.signalCode === null);
    for (const { sender, receiver } of pairs) {
      sender.resendFailed();
      for (const client of [sender, receiver] as Roaming[]) {
        if (client.connected || busy.has(client) || live.length === 0) continue;
        const node = live[spread++ % live.length];
        if (node === undefined) continue;
        busy.add(client);
        client
          .connect(node.wsUrl)
          .catch(() => undefined)
          .finally(() => busy.delete(client));
      }
    }
  }, 50);
  return {
    stop: () => {
      clearInterval(timer);
    },
  };
}

/** True once every sender has all `perSender` messages confirmed and its receiver has them all. */
export function allDelivered(pairs: readonly Pair[], perSender: number): boolean {
  return pairs.every(
    ({ sender, receiver }) =>
      sender.confirmed.size === perSender && [...sender.confirmed].every((id) => receiver.seen.has(id)),
  );
}

/** `count` pairs: the visitor of conversation i sends to device i; each pair's ends sit on different nodes. */
export async function setUpPairs(nodes: readonly RelayProcess[], account: Account, count: number): Promise<Pair[]> {
  const pairs: Pair[] = [];
  for (let i = 0; i < count; i++) {
    const node = (k: number): RelayProcess => {
      const found = nodes[(i + k) % nodes.length];
      if (found === undefined) throw new Error('no node');
      return found;
    };
    const device = await enrolDevice(node(0).origin, account);
    const conversation = await openConversation(node(1).origin, account.accountId);
    const receiver = new CheckingReceiver(device);
    await receiver.connect(node(2).wsUrl);
    const sender = new ResendingSender(conversation, device.deviceId);
    await sender.connect(node(1).wsUrl);
    pairs.push({ sender, receiver });
  }
  return pairs;
}
