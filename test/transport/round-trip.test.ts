/**
 * shared/transport against a real relay process: the visitor's outbox goes out as `send` frames,
 * each leaves the outbox on `stored`; the device gets each envelope as a delivery, saves its
 * cursor with the step, and acks with the pacing of PROTOCOL §16.2 (nothing is delivered again).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceQueue, openMemoryStore, visitorQueue } from '../../shared/storage/index.js';
import { type RelayProcess, makeDataDir, startRelayProcess } from '../relay/support/relay-process.js';
import { connectDevice } from '../relay/support/relay-api.js';
import {
  type World,
  bodyText,
  deviceHello,
  deviceIdOf,
  envelopeTo,
  party,
  storedCount,
  visitorHello,
  waitFor,
  world,
} from './support/transport-fixture.js';

describe('transport round trip (real relay)', () => {
  const data = makeDataDir();
  let relay: RelayProcess;
  let w: World;

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir, { SEALDESK_MESSAGES_PER_SECOND: '5000' });
    w = await world(relay.origin);
  });
  afterAll(async () => {
    await relay.stop('SIGKILL');
    data.remove();
  });

  it('sends the outbox, confirms it by stored, delivers, saves the cursor and acks', async () => {
    const [agent] = w.devices;
    if (agent === undefined) throw new Error('no device');
    const device = party({ hello: deviceHello(agent), url: relay.wsUrl });
    const visitor = party({ hello: visitorHello(w.conversation), url: relay.wsUrl });
    await waitFor(() => device.connection.status === 'ready' && visitor.connection.status === 'ready', 'ready');

    const n = 150;
    const texts = Array.from({ length: n }, (_, i) => `visitor says ${i}`);
    const committed = await visitor.connection.commit({
      outbox: texts.map((t, i) => ({ envelope: envelopeTo(w.conversationId, agent, t), ref: `m${i}` })),
    });
    expect(committed.outbox).toHaveLength(n);
    await waitFor(() => device.received.length === n, `${n} deliveries`);
    await waitFor(() => storedCount(visitor.events) === n, `${n} stored`);

    expect(device.received.map(bodyText)).toEqual(texts);
    const cursors = device.received.map((d) => d.cursor);
    expect([...cursors].sort((a, b) => a - b)).toEqual(cursors);
    // Each stored event names its entry and the cursor the device got it under.
    const stored = visitor.events.flatMap((e) => (e.type === 'stored' ? [e] : []));
    expect(stored.map((e) => e.ref)).toEqual(texts.map((_, i) => `m${i}`));
    expect(stored.map((e) => e.cursor)).toEqual(cursors);
    expect(await openMemoryStore(visitor.db).outbox()).toEqual([]);
    expect(await openMemoryStore(device.db).cursor(deviceQueue(deviceIdOf(agent)))).toBe(cursors.at(-1));

    // The device answers; the visitor's cursor is saved the same way.
    await device.connection.commit({
      outbox: [{ envelope: envelopeTo(w.conversationId, 'visitor', 'agent says hi') }],
    });
    await waitFor(() => visitor.received.length === 1, 'the reply');
    expect(bodyText(visitor.received[0] ?? { cursor: 0, envelope: new Uint8Array() })).toBe('agent says hi');
    expect(await openMemoryStore(visitor.db).cursor(visitorQueue(w.conversationId))).toBe(visitor.received[0]?.cursor);

    // Acks were paced (§16.2) and reached the relay: after the 100 ms delay, a raw client that
    // resumes from 0 gets nothing queued for this device.
    await new Promise((r) => setTimeout(r, 300));
    await device.connection.stop();
    const raw = await connectDevice(relay.wsUrl, agent, 0);
    await new Promise((r) => setTimeout(r, 300));
    expect(raw.of('deliver')).toEqual([]);
    await raw.close();
    await visitor.connection.stop();
    expect(device.connection.duplicatesDropped).toBe(0);
  });
});
