/**
 * Issue #10 item 5 against a real relay process: one capability can hold only
 * SEALDESK_SOCKETS_PER_QUEUE sockets, its sockets share one frame budget, and a receiver queue
 * holds at most SEALDESK_MAX_QUEUE_MESSAGES (typed queue-full error past it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRAME_ERRORS } from '../../shared/wire/index.js';
import { type RelayProcess, makeDataDir, startRelayProcess } from './support/relay-process.js';
import {
  type Account,
  connectDevice,
  connectVisitor,
  enrolDevice,
  envelope,
  openConversation,
  registerAndLogin,
} from './support/relay-api.js';
import type { TestClient } from './support/ws-client.js';

const SOCKETS = 4;
const RATE = 50;
const MAX_QUEUE = 100;

const settle = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const errors = (c: TestClient, name: keyof typeof FRAME_ERRORS): number =>
  c.of('error').filter((e) => e.code === FRAME_ERRORS[name]).length;

describe('socket and queue limits (issue #10 item 5)', () => {
  const data = makeDataDir();
  let relay: RelayProcess;
  let account: Account;

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir, {
      SEALDESK_SOCKETS_PER_QUEUE: String(SOCKETS),
      SEALDESK_MESSAGES_PER_SECOND: String(RATE),
      SEALDESK_MAX_QUEUE_MESSAGES: String(MAX_QUEUE),
    });
    account = await registerAndLogin(relay.origin, 'sockets@example.test');
  });
  afterAll(async () => {
    await relay.stop('SIGKILL');
    data.remove();
  });

  it('#10.5: caps sockets per capability and rate-limits the capability, not each socket', async () => {
    const agent = await enrolDevice(relay.origin, account);
    const conversation = await openConversation(relay.origin, account.accountId);
    const sockets = await Promise.all(Array.from({ length: 10 }, () => connectVisitor(relay.wsUrl, conversation)));
    const ready = sockets.filter((s) => s.of('ready').length === 1);
    const refused = sockets.filter((s) => s.of('ready').length === 0);
    expect(ready).toHaveLength(SOCKETS);
    for (const s of refused) {
      await s.until(() => s.closeCode !== undefined, 'close of a socket over the cap');
      expect(s.closeCode).toBe(4429);
      expect(errors(s, 'too-many-connections')).toBe(1);
    }
    // 4 sockets x 40 frames in one burst: one budget of 50 per second for all of them.
    let id = 1;
    for (const s of ready)
      for (let i = 0; i < 40; i++)
        s.send({
          type: 'send',
          requestId: id++,
          envelope: envelope(conversation.conversationId, { device: agent.deviceId }, new Uint8Array([i])),
        });
    await Promise.all(
      ready.map((s) =>
        s.until((f) => f.filter((x) => x.type !== 'ready' && x.type !== 'challenge').length >= 40, 'answers'),
      ),
    );
    const stored = ready.reduce((n, s) => n + s.of('stored').length, 0);
    const limited = ready.reduce((n, s) => n + errors(s, 'rate-limited'), 0);
    expect(stored + limited).toBe(160);
    expect(stored).toBeGreaterThanOrEqual(RATE);
    expect(stored).toBeLessThanOrEqual(RATE + 15);
    // A socket that closes frees its seat.
    await ready[0]?.close();
    const again = await connectVisitor(relay.wsUrl, conversation);
    expect(again.of('ready')).toHaveLength(1);
  });

  it('#10.5: a receiver queue holds at most SEALDESK_MAX_QUEUE_MESSAGES; past it sends get queue-full', async () => {
    const agent = await enrolDevice(relay.origin, account);
    const conversation = await openConversation(relay.origin, account.accountId);
    const visitor = await connectVisitor(relay.wsUrl, conversation);
    let id = 1;
    // 110 frames at 40 per second (under the rate limit), to a device that is offline.
    for (let round = 0; round < 11; round++) {
      for (let i = 0; i < 10; i++)
        visitor.send({
          type: 'send',
          requestId: id++,
          envelope: envelope(conversation.conversationId, { device: agent.deviceId }, new Uint8Array([round, i])),
        });
      await settle(250);
    }
    await visitor.until((f) => f.filter((x) => x.type === 'stored' || x.type === 'error').length >= 110, 'answers');
    expect(visitor.of('stored')).toHaveLength(MAX_QUEUE);
    expect(errors(visitor, 'queue-full')).toBe(10);
    expect(errors(visitor, 'rate-limited')).toBe(0);
    // The device drains and acknowledges its queue: there is room again.
    const device = await connectDevice(relay.wsUrl, agent);
    await device.until((f) => f.filter((x) => x.type === 'deliver').length >= MAX_QUEUE, 'backlog');
    const last = device.of('deliver').at(-1)?.cursor ?? 0;
    device.send({ type: 'ack', cursor: last });
    await settle(200);
    visitor.send({
      type: 'send',
      requestId: id,
      envelope: envelope(conversation.conversationId, { device: agent.deviceId }, new Uint8Array([1])),
    });
    await visitor.until((f) => f.some((x) => x.type === 'stored' && x.requestId === id), 'stored after the ack');
  });
});
