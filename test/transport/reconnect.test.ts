/**
 * shared/transport when connections and the relay fail (real relay processes): cut sockets,
 * a relay killed with SIGKILL and restarted, a client restarted from its store. Nothing the
 * store holds is lost: every outbox entry reaches the relay, every envelope reaches the device,
 * each cursor is handled exactly once and re-deliveries of cursors already taken are dropped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryDatabase, openMemoryStore } from '../../shared/storage/index.js';
import { type RelayProcess, makeDataDir, startRelayProcess } from '../relay/support/relay-process.js';
import {
  type Party,
  SocketTracker,
  type World,
  bodyText,
  deviceHello,
  envelopeTo,
  party,
  storedCount,
  visitorHello,
  waitFor,
  world,
} from './support/transport-fixture.js';

const ENV = { SEALDESK_MESSAGES_PER_SECOND: '5000' };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function expectEachCursorOnce(p: Party): void {
  const cursors = p.received.map((d) => d.cursor);
  for (let i = 1; i < cursors.length; i++) expect(cursors[i]).toBeGreaterThan(cursors[i - 1] ?? 0);
}

describe('transport reconnects (real relay)', () => {
  const data = makeDataDir();
  let relay: RelayProcess;
  let w: World;

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir, ENV);
    w = await world(relay.origin);
  });
  afterAll(async () => {
    await relay.stop('SIGKILL');
    data.remove();
  });

  it('resumes after cut sockets with nothing lost and re-delivered cursors dropped', async () => {
    const [agent] = w.devices;
    if (agent === undefined) throw new Error('no device');
    const deviceSockets = new SocketTracker();
    const visitorSockets = new SocketTracker();
    // The device's handler waits at a gate: deliveries pile up received but unprocessed.
    let open = (): void => undefined;
    let gate: Promise<void> | undefined = new Promise((resolve) => {
      open = resolve;
    });
    const device = party({
      hello: deviceHello(agent),
      url: relay.wsUrl,
      WebSocket: deviceSockets.WebSocket,
      beforeSave: async () => {
        await gate;
        await sleep(1);
      },
    });
    const visitor = party({
      hello: visitorHello(w.conversation),
      url: relay.wsUrl,
      WebSocket: visitorSockets.WebSocket,
    });
    await waitFor(() => device.connection.status === 'ready' && visitor.connection.status === 'ready', 'ready');

    const n = 300;
    const texts = Array.from({ length: n }, (_, i) => `cut ${i}`);
    await visitor.connection.commit({
      outbox: texts.map((t) => ({ envelope: envelopeTo(w.conversationId, agent, t) })),
    });
    await waitFor(() => device.connection.queuedDeliveries >= 50, 'deliveries waiting at the gate');
    const readyBefore = device.events.filter((e) => e.type === 'status' && e.status === 'ready').length;
    deviceSockets.cutAll();
    visitorSockets.cutAll();
    // The new connection resumes after the saved cursor, below the waiting ones: the relay sends
    // them again, and they are dropped as cursors already taken.
    await waitFor(
      () => device.events.filter((e) => e.type === 'status' && e.status === 'ready').length > readyBefore,
      'the device reconnects',
    );
    await waitFor(() => device.connection.duplicatesDropped > 0, 're-delivered cursors dropped');
    gate = undefined;
    open();
    let cuts = 1;
    for (const at of [120, 200]) {
      await waitFor(() => device.received.length >= at, `${at} deliveries`);
      deviceSockets.cutAll();
      cuts += 1;
    }
    await waitFor(() => storedCount(visitor.events) === n, 'every entry stored');
    await waitFor(() => new Set(device.received.map(bodyText)).size === n, 'every text delivered');

    expect(cuts).toBe(3);
    expectEachCursorOnce(device);
    expect(new Set(device.received.map(bodyText))).toEqual(new Set(texts));
    expect(await openMemoryStore(visitor.db).outbox()).toEqual([]);
    expect(device.events.some((e) => e.type === 'status' && e.status === 'waiting')).toBe(true);
    await device.connection.stop();
    await visitor.connection.stop();
  });
});

describe('transport across a relay crash (SIGKILL) and a client restart', () => {
  const data = makeDataDir();
  const relays: RelayProcess[] = [];

  afterAll(async () => {
    for (const r of relays) await r.stop('SIGKILL');
    data.remove();
  });

  it('re-sends the outbox until stored, from the same client and from a restarted one', async () => {
    const first = await startRelayProcess(data.dir, ENV);
    relays.push(first);
    const port = Number(new URL(first.origin).port);
    const w = await world(first.origin);
    const [agent] = w.devices;
    if (agent === undefined) throw new Error('no device');
    const device = party({ hello: deviceHello(agent), url: first.wsUrl });
    const visitorDb = new MemoryDatabase();
    const visitor = party({ hello: visitorHello(w.conversation), url: first.wsUrl, db: visitorDb });
    await waitFor(() => device.connection.status === 'ready' && visitor.connection.status === 'ready', 'ready');

    const before = Array.from({ length: 200 }, (_, i) => `before crash ${i}`);
    await visitor.connection.commit({
      outbox: before.map((t) => ({ envelope: envelopeTo(w.conversationId, agent, t) })),
    });
    await waitFor(() => storedCount(visitor.events) >= 30, 'some stored');
    await first.stop('SIGKILL');
    await waitFor(() => visitor.connection.status === 'waiting', 'the visitor notices');

    // While the relay is down: more messages are saved, then the visitor's app restarts.
    const during = Array.from({ length: 50 }, (_, i) => `during outage ${i}`);
    await visitor.connection.commit({
      outbox: during.map((t) => ({ envelope: envelopeTo(w.conversationId, agent, t) })),
    });
    await visitor.connection.stop();
    // Pending: the 50 saved during the outage, and those sent before the crash that the relay had not
    // confirmed — none when it stored all 200 before the SIGKILL landed (an idle machine), so only
    // the 50 are certain.
    const pending = (await openMemoryStore(visitorDb).outbox()).length;
    expect(pending).toBeGreaterThanOrEqual(during.length);
    const restarted = party({ hello: visitorHello(w.conversation), url: first.wsUrl, db: visitorDb });

    await sleep(300);
    const second = await startRelayProcess(data.dir, ENV, port);
    relays.push(second);
    await waitFor(async () => (await openMemoryStore(visitorDb).outbox()).length === 0, 'the outbox drained', 30_000);
    const all = [...before, ...during];
    await waitFor(() => new Set(device.received.map(bodyText)).size === all.length, 'every text delivered', 30_000);

    expectEachCursorOnce(device);
    expect(new Set(device.received.map(bodyText))).toEqual(new Set(all));
    expect(storedCount(restarted.events)).toBe(pending);
    await device.connection.stop();
    await restarted.connection.stop();
  });
});
