/**
 * RelayConnection against a scripted relay (fake sockets, virtual time): the outbox, resends,
 * refusals, duplicate cursors, ack pacing, heartbeats, backoff and the failures that stop it.
 * The same code runs against real relay processes in test/transport/.
 */
import { describe, expect, it } from 'vitest';
import { ed25519Verify } from '../../../shared/crypto/index.js';
import { MemoryDatabase, type StateShapes, deviceQueue, openMemoryStore } from '../../../shared/storage/index.js';
import {
  BadResponseError,
  type ConnectionEvent,
  type ConnectionTuning,
  type Delivery,
  type DeliveryHandler,
  GoneError,
  type Hello,
  NotFoundError,
  RelayConnection,
  TimeoutError,
  UnauthorizedError,
  ed25519Signer,
} from '../../../shared/transport/index.js';
import {
  ACK_MAX_DELAY_MS,
  ACK_MAX_UNACKED,
  FRAME_ERRORS,
  asAccountId,
  asCiphertext,
  asConversationId,
  asDeviceId,
  deviceAuthMessage,
  encodeEnvelope,
} from '../../../shared/wire/index.js';
import { FakeNetwork, type FakeSocket, VirtualTimers, settle } from './support/fake-relay.js';

const random = (n: number): Uint8Array => crypto.getRandomValues(new Uint8Array(n));
const C1 = asConversationId(random(16));
const C2 = asConversationId(random(16));
const PEER = asDeviceId(random(16));

function envelope(conversationId = C1, body = 1): Uint8Array {
  return encodeEnvelope({
    conversationId,
    recipient: { kind: 'device', deviceId: PEER },
    body: asCiphertext(Uint8Array.of(body)),
  });
}

interface Harness {
  readonly net: FakeNetwork;
  readonly timers: VirtualTimers;
  readonly db: MemoryDatabase;
  readonly connection: RelayConnection;
  readonly received: Delivery[];
  readonly events: ConnectionEvent[];
  readonly publicKeyBytes: Uint8Array;
  readonly hello: Hello;
}

async function setup(
  options: {
    visitor?: boolean;
    db?: MemoryDatabase;
    tuning?: Partial<ConnectionTuning>;
    handler?: DeliveryHandler<StateShapes>;
  } = {},
): Promise<Harness> {
  const net = new FakeNetwork();
  const timers = new VirtualTimers();
  const db = options.db ?? new MemoryDatabase();
  const pair = await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']);
  const hello: Hello =
    options.visitor === true
      ? { kind: 'visitor', conversationId: C1, capability: random(32) }
      : {
          kind: 'device',
          device: {
            accountId: asAccountId(random(16)),
            deviceId: asDeviceId(random(16)),
            sign: ed25519Signer(pair.privateKey),
          },
        };
  const received: Delivery[] = [];
  const events: ConnectionEvent[] = [];
  const connection = new RelayConnection({
    url: 'wss://relay.test/v1/ws',
    WebSocket: net.WebSocket,
    timers,
    // Jitter fraction exactly 0.5 (the first of four bytes is 0x80).
    rng: (n) => {
      const bytes = new Uint8Array(n);
      bytes[0] = 0x80;
      return bytes;
    },
    hello,
    store: openMemoryStore(db),
    onDeliver:
      options.handler ??
      (async (delivery, save) => {
        await save();
        received.push(delivery);
      }),
    onEvent: (e) => events.push(e),
    tuning: { heartbeatMs: 0, ...options.tuning },
  });
  const publicKeyBytes = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  return { net, timers, db, connection, received, events, publicKeyBytes, hello };
}

/** Waits (in real time: WebCrypto signs on a worker thread) until the socket carries a hello. */
async function helloSent(socket: FakeSocket): Promise<void> {
  for (let i = 0; i < 500 && !socket.sent.some((f) => f.type.startsWith('hello')); i++) {
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** Accepts the newest socket: challenge, hello, ready. */
async function handshake(h: Harness): Promise<FakeSocket> {
  await settle();
  const socket = h.net.last();
  socket.accept();
  await helloSent(socket);
  socket.deliverFrame({ type: 'ready', role: 1 });
  await settle();
  return socket;
}

function deliver(socket: FakeSocket, cursor: number, body = cursor): void {
  socket.deliverFrame({ type: 'deliver', cursor, envelope: envelope(C1, body) });
}

const statuses = (h: Harness): string[] => h.events.flatMap((e) => (e.type === 'status' ? [e.status] : []));

describe('RelayConnection: hello and resume', () => {
  it('signs the challenge with the device key (§16.5) and resumes after the saved cursor', async () => {
    const h = await setup();
    await openMemoryStore(h.db).commit({ cursors: [{ queue: h.connection.queue, cursor: 41 }] });
    h.connection.start();
    const socket = await handshake(h);
    const [hello] = socket.of('hello-device');
    if (hello === undefined || h.hello.kind !== 'device') throw new Error('no hello-device');
    expect(hello.resumeAfter).toBe(41);
    const message = deviceAuthMessage(new Uint8Array(32).fill(7), hello.accountId, hello.deviceId);
    expect(await ed25519Verify(h.publicKeyBytes, message, hello.signature)).toBe(true);
    expect(h.connection.status).toBe('ready');
    // A fresh connection acks what it resumed after, cleaning the relay's queue (§16.2).
    expect(socket.of('ack').map((a) => a.cursor)).toEqual([41]);
    expect(h.connection.queue).toBe(deviceQueue(h.hello.device.deviceId));
  });
});

describe('RelayConnection: deliveries', () => {
  it('hands each cursor to the handler once, drops duplicates, and saves the cursor with the step', async () => {
    const h = await setup();
    h.connection.start();
    const first = await handshake(h);
    deliver(first, 1);
    deliver(first, 2);
    deliver(first, 2);
    await settle();
    first.drop();
    await h.timers.advance(1_000);
    const second = await handshake(h);
    expect(second.of('hello-device')[0]?.resumeAfter).toBe(2);
    deliver(second, 1);
    deliver(second, 2);
    deliver(second, 3);
    await settle();
    expect(h.received.map((d) => d.cursor)).toEqual([1, 2, 3]);
    expect(h.connection.duplicatesDropped).toBe(3);
    expect(await openMemoryStore(h.db).cursor(h.connection.queue)).toBe(3);
  });

  it(`acks the highest processed cursor after ${ACK_MAX_UNACKED} deliveries or ${ACK_MAX_DELAY_MS} ms (§16.2)`, async () => {
    const h = await setup();
    h.connection.start();
    const socket = await handshake(h);
    for (let c = 1; c <= ACK_MAX_UNACKED + 3; c++) deliver(socket, c);
    await settle(20);
    expect(socket.of('ack').map((a) => a.cursor)).toEqual([ACK_MAX_UNACKED]);
    await h.timers.advance(ACK_MAX_DELAY_MS - 1);
    expect(socket.of('ack')).toHaveLength(1);
    await h.timers.advance(1);
    expect(socket.of('ack').map((a) => a.cursor)).toEqual([ACK_MAX_UNACKED, ACK_MAX_UNACKED + 3]);
  });

  it('does not ack a delivery whose handler failed: it reconnects and gets it again', async () => {
    let fail = true;
    const seen: number[] = [];
    const h = await setup({
      handler: async (delivery, save) => {
        if (fail && delivery.cursor === 2) {
          fail = false;
          throw new Error('storage hiccup');
        }
        await save();
        seen.push(delivery.cursor);
      },
    });
    h.connection.start();
    const first = await handshake(h);
    deliver(first, 1);
    deliver(first, 2);
    deliver(first, 3);
    await settle(20);
    expect(seen).toEqual([1]);
    expect(h.events.some((e) => e.type === 'problem')).toBe(true);
    expect(first.readyState).toBe(3);
    await h.timers.advance(1_000);
    const second = await handshake(h);
    expect(second.of('hello-device')[0]?.resumeAfter).toBe(1);
    deliver(second, 2);
    deliver(second, 3);
    await settle(20);
    expect(seen).toEqual([1, 2, 3]);
  });

  it('closes on a frame that does not decode and reconnects', async () => {
    const h = await setup();
    h.connection.start();
    const socket = await handshake(h);
    socket.deliverBytes(Uint8Array.of(1, 4, 0));
    await settle();
    expect(socket.readyState).toBe(3);
    const waiting = h.events.find((e) => e.type === 'status' && e.status === 'waiting');
    expect(waiting?.type === 'status' ? waiting.error : undefined).toBeInstanceOf(BadResponseError);
    await h.timers.advance(1_000);
    await handshake(h);
    expect(h.connection.status).toBe('ready');
  });
});

describe('RelayConnection: the outbox', () => {
  it('sends saved entries, removes each on stored, and reports it', async () => {
    const h = await setup();
    h.connection.start();
    const socket = await handshake(h);
    await h.connection.commit({ outbox: [{ envelope: envelope(C1, 1), ref: 'a' }, { envelope: envelope(C1, 2) }] });
    await settle();
    const sends = socket.of('send');
    expect(sends.map((s) => s.envelope)).toEqual([envelope(C1, 1), envelope(C1, 2)]);
    socket.deliverFrame({ type: 'stored', requestId: sends[0]?.requestId ?? 0, cursor: 10 });
    await settle();
    expect((await openMemoryStore(h.db).outbox()).map((e) => e.envelope)).toEqual([envelope(C1, 2)]);
    const stored = h.events.find((e) => e.type === 'stored');
    expect(stored).toMatchObject({ type: 'stored', ref: 'a', cursor: 10 });
  });

  it('sends what was in flight again after the socket drops, and confirms each entry once', async () => {
    const h = await setup();
    h.connection.start();
    const first = await handshake(h);
    await h.connection.commit({ outbox: [{ envelope: envelope(C1, 1) }, { envelope: envelope(C1, 2) }] });
    await settle();
    const [a] = first.of('send');
    first.deliverFrame({ type: 'stored', requestId: a?.requestId ?? 0, cursor: 5 });
    await settle();
    first.drop();
    await h.timers.advance(1_000);
    const second = await handshake(h);
    // Entry 1 was confirmed; entry 2 was in flight when the socket dropped: sent again.
    expect(second.of('send').map((s) => s.envelope)).toEqual([envelope(C1, 2)]);
    const again = second.of('send')[0];
    second.deliverFrame({ type: 'stored', requestId: again?.requestId ?? 0, cursor: 6 });
    await settle();
    expect(await openMemoryStore(h.db).outbox()).toEqual([]);
    expect(h.events.flatMap((e) => (e.type === 'stored' ? [e.cursor] : []))).toEqual([5, 6]);
  });

  it('picks the outbox up from the store after a restart', async () => {
    const db = new MemoryDatabase();
    await openMemoryStore(db).commit({ outbox: [{ envelope: envelope(C1, 9) }] });
    const h = await setup({ db });
    h.connection.start();
    const socket = await handshake(h);
    expect(socket.of('send').map((s) => s.envelope)).toEqual([envelope(C1, 9)]);
  });

  it('a visitor connection sends only its own conversation’s entries', async () => {
    const db = new MemoryDatabase();
    await openMemoryStore(db).commit({ outbox: [{ envelope: envelope(C2, 1) }, { envelope: envelope(C1, 2) }] });
    const h = await setup({ db, visitor: true });
    h.connection.start();
    const socket = await handshake(h);
    expect(socket.of('hello-visitor')).toHaveLength(1);
    expect(socket.of('send').map((s) => s.envelope)).toEqual([envelope(C1, 2)]);
  });

  it('sends again after storage-failed, once the pause is over', async () => {
    const h = await setup({ tuning: { resendAfterMs: 500 } });
    h.connection.start();
    const socket = await handshake(h);
    await h.connection.commit({ outbox: [{ envelope: envelope(C1, 1) }] });
    await settle();
    const first = socket.of('send')[0];
    socket.deliverFrame({ type: 'error', requestId: first?.requestId ?? 0, code: FRAME_ERRORS['storage-failed'] });
    await settle();
    expect(socket.of('send')).toHaveLength(1);
    await h.timers.advance(500);
    const sends = socket.of('send');
    expect(sends).toHaveLength(2);
    expect(sends[1]?.requestId).not.toBe(first?.requestId);
    expect(sends[1]?.envelope).toEqual(envelope(C1, 1));
  });

  it('sends the unanswered entries again after rate-limited (the relay dropped one, §16.4)', async () => {
    const h = await setup({ tuning: { resendAfterMs: 500 } });
    h.connection.start();
    const socket = await handshake(h);
    await h.connection.commit({ outbox: [{ envelope: envelope(C1, 1) }, { envelope: envelope(C1, 2) }] });
    await settle();
    const [a] = socket.of('send');
    socket.deliverFrame({ type: 'stored', requestId: a?.requestId ?? 0, cursor: 1 });
    socket.deliverFrame({ type: 'error', requestId: 0, code: FRAME_ERRORS['rate-limited'] });
    await settle();
    await h.timers.advance(500);
    expect(socket.of('send').map((s) => s.envelope)).toEqual([envelope(C1, 1), envelope(C1, 2), envelope(C1, 2)]);
  });

  it('drops an entry the relay refuses for good, with a typed rejected event', async () => {
    const h = await setup();
    h.connection.start();
    const socket = await handshake(h);
    await h.connection.commit({ outbox: [{ envelope: envelope(C1, 1), ref: 'x' }] });
    await settle();
    const [send] = socket.of('send');
    socket.deliverFrame({ type: 'error', requestId: send?.requestId ?? 0, code: FRAME_ERRORS['unknown-recipient'] });
    await settle();
    const rejected = h.events.find((e) => e.type === 'rejected');
    expect(rejected?.type === 'rejected' ? rejected.error : undefined).toBeInstanceOf(NotFoundError);
    expect(rejected).toMatchObject({ ref: 'x' });
    expect(await openMemoryStore(h.db).outbox()).toEqual([]);
    expect(h.connection.status).toBe('ready');
  });

  it('treats a send left unanswered as a dead connection: reconnects and sends it again', async () => {
    const h = await setup({ tuning: { sendTimeoutMs: 2_000 } });
    h.connection.start();
    const first = await handshake(h);
    await h.connection.commit({ outbox: [{ envelope: envelope(C1, 1) }] });
    await settle();
    await h.timers.advance(1_999);
    expect(first.readyState).toBe(1);
    await h.timers.advance(1);
    expect(first.readyState).toBe(3);
    const waiting = h.events.find((e) => e.type === 'status' && e.status === 'waiting');
    expect(waiting?.type === 'status' ? waiting.error : undefined).toBeInstanceOf(TimeoutError);
    await h.timers.advance(1_000);
    const second = await handshake(h);
    expect(second.of('send').map((s) => s.envelope)).toEqual([envelope(C1, 1)]);
  });
});

describe('RelayConnection: reconnecting and giving up', () => {
  it('backs off exponentially with full jitter, and starts over after a stable connection', async () => {
    const h = await setup({ tuning: { backoff: { initialMs: 100, maxMs: 1_000 }, stableAfterMs: 5_000 } });
    h.connection.start();
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      await settle();
      h.net.last().drop();
      await settle();
      const e = h.events.at(-1);
      delays.push(e?.type === 'status' ? (e.retryInMs ?? -1) : -1);
      await h.timers.advance(2_000);
    }
    // rng gives 0.5: half of min(1000, 100·2^attempt).
    expect(delays).toEqual([50, 100, 200, 400, 500, 500]);
    await handshake(h);
    await h.timers.advance(5_000);
    h.net.last().drop();
    await settle();
    const e = h.events.at(-1);
    expect(e?.type === 'status' ? e.retryInMs : undefined).toBe(50);
  });

  it('stops for good when the relay refuses the hello (auth-failed, 4401)', async () => {
    const h = await setup();
    h.connection.start();
    await settle();
    const socket = h.net.last();
    socket.accept();
    await helloSent(socket);
    socket.deliverFrame({ type: 'error', requestId: 0, code: FRAME_ERRORS['auth-failed'] });
    socket.drop(4401);
    await settle();
    expect(h.connection.status).toBe('failed');
    const failed = h.events.at(-1);
    expect(failed?.type === 'status' ? failed.error : undefined).toBeInstanceOf(UnauthorizedError);
    await h.timers.advance(60_000);
    expect(h.net.sockets).toHaveLength(1);
  });

  it('stops for good when the queue is gone (4410)', async () => {
    const h = await setup();
    h.connection.start();
    const socket = await handshake(h);
    socket.drop(4410);
    await settle();
    expect(statuses(h).at(-1)).toBe('failed');
    const failed = h.events.at(-1);
    expect(failed?.type === 'status' ? failed.error : undefined).toBeInstanceOf(GoneError);
  });

  it('times out a handshake that never completes, then tries again', async () => {
    const h = await setup({ tuning: { handshakeTimeoutMs: 3_000 } });
    h.connection.start();
    await settle();
    h.net.last().accept();
    await h.timers.advance(3_000);
    const waiting = h.events.find((e) => e.type === 'status' && e.status === 'waiting');
    expect(waiting?.type === 'status' ? waiting.error : undefined).toBeInstanceOf(TimeoutError);
    await h.timers.advance(1_000);
    expect(h.net.sockets).toHaveLength(2);
  });

  it('keeps an idle connection alive with a keepalive ack (heartbeat)', async () => {
    const h = await setup({ tuning: { heartbeatMs: 1_000 } });
    h.connection.start();
    const socket = await handshake(h);
    await h.timers.advance(999);
    expect(socket.of('ack')).toHaveLength(0);
    await h.timers.advance(1);
    expect(socket.of('ack').map((a) => a.cursor)).toEqual([0]);
    await h.timers.advance(3_000);
    expect(socket.of('ack')).toHaveLength(4);
  });

  it('stop() closes the socket, sends the pending ack and never reconnects', async () => {
    const h = await setup();
    h.connection.start();
    const socket = await handshake(h);
    deliver(socket, 7);
    await settle();
    await h.connection.stop();
    expect(socket.of('ack').map((a) => a.cursor)).toEqual([7]);
    expect(socket.readyState).toBe(3);
    await h.timers.advance(60_000);
    expect(h.net.sockets).toHaveLength(1);
    expect(h.connection.status).toBe('stopped');
  });
});
