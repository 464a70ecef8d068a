/**
 * A real relay process, an account with enrolled devices and a visitor conversation, and
 * RelayConnections of shared/transport on memory stores: the pieces of the transport tests.
 */
import WebSocket from 'ws';
import { MemoryDatabase, type StateShapes, openMemoryStore } from '../../../shared/storage/index.js';
import {
  type ConnectionEvent,
  type ConnectionTuning,
  type Delivery,
  type DeliveryHandler,
  type Hello,
  RelayConnection,
  type WebSocketConstructor,
  systemTimers,
} from '../../../shared/transport/index.js';
import {
  type ConversationId,
  type DeviceId,
  asCiphertext,
  asConversationId,
  asDeviceId,
  decodeEnvelope,
  encodeEnvelope,
  idBytesFromHex,
} from '../../../shared/wire/index.js';
import {
  type Account,
  type Conversation,
  type Device,
  credentials,
  enrolDevice,
  openConversation,
  registerAndLogin,
  visitorHello,
} from '../../relay/support/relay-api.js';

/** `ws` as the transport's WebSocket, remembering every socket so a test can cut them. */
export class SocketTracker {
  readonly sockets: WebSocket[] = [];
  readonly WebSocket: WebSocketConstructor;

  constructor() {
    const sockets = this.sockets;
    this.WebSocket = class extends WebSocket {
      constructor(url: string) {
        super(url, { perMessageDeflate: false });
        sockets.push(this);
      }
    };
  }

  /** Cuts every open socket without a close handshake, as a dropped network does. */
  cutAll(): void {
    for (const s of this.sockets) if (s.readyState === WebSocket.OPEN) s.terminate();
  }
}

export interface Party {
  readonly connection: RelayConnection;
  readonly db: MemoryDatabase;
  /** Every delivery handed to the handler, in order. */
  readonly received: Delivery[];
  readonly events: ConnectionEvent[];
}

export interface PartyOptions {
  readonly hello: Hello;
  readonly url: string;
  readonly WebSocket?: WebSocketConstructor;
  readonly db?: MemoryDatabase;
  readonly tuning?: Partial<ConnectionTuning>;
  /** Runs before the delivery is saved (e.g. a delay, to keep deliveries queued). */
  readonly beforeSave?: (delivery: Delivery) => Promise<void>;
}

/** A started RelayConnection on a memory store that records what it receives. */
export function party(options: PartyOptions): Party {
  const db = options.db ?? new MemoryDatabase();
  const received: Delivery[] = [];
  const events: ConnectionEvent[] = [];
  const onDeliver: DeliveryHandler<StateShapes> = async (delivery, save) => {
    await options.beforeSave?.(delivery);
    await save();
    received.push(delivery);
  };
  const connection = new RelayConnection({
    url: options.url,
    WebSocket: options.WebSocket ?? new SocketTracker().WebSocket,
    timers: systemTimers,
    hello: options.hello,
    store: openMemoryStore(db),
    onDeliver,
    onEvent: (event) => events.push(event),
    tuning: { heartbeatMs: 0, backoff: { initialMs: 50, maxMs: 400 }, ...options.tuning },
  });
  connection.start();
  return { connection, db, received, events };
}

export interface World {
  readonly account: Account;
  readonly devices: readonly Device[];
  readonly conversation: Conversation;
  readonly conversationId: ConversationId;
}

export async function world(origin: string, devices = 1): Promise<World> {
  const account = await registerAndLogin(origin, `transport-${crypto.randomUUID()}@example.test`);
  const enrolled: Device[] = [];
  for (let i = 0; i < devices; i++) enrolled.push(await enrolDevice(origin, account));
  const conversation = await openConversation(origin, account.accountId);
  return {
    account,
    devices: enrolled,
    conversation,
    conversationId: asConversationId(idBytesFromHex(conversation.conversationId)),
  };
}

export function deviceHello(device: Device): Hello {
  return { kind: 'device', device: credentials(device) };
}

export { visitorHello };

export function deviceIdOf(device: Device): DeviceId {
  return asDeviceId(idBytesFromHex(device.deviceId));
}

/** An envelope to `to` (a device, or the visitor) whose body is `text`. */
export function envelopeTo(conversationId: ConversationId, to: Device | 'visitor', text: string): Uint8Array {
  return encodeEnvelope({
    conversationId,
    recipient: to === 'visitor' ? { kind: 'visitor' } : { kind: 'device', deviceId: deviceIdOf(to) },
    body: asCiphertext(new TextEncoder().encode(text)),
  });
}

export function bodyText(delivery: Delivery): string {
  return new TextDecoder().decode(decodeEnvelope(delivery.envelope).body);
}

/** Polls `condition` every 20 ms until it holds, or fails after `timeoutMs` naming `what`. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function storedCount(events: readonly ConnectionEvent[]): number {
  return events.filter((e) => e.type === 'stored').length;
}
