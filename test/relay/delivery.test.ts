/**
 * Store-and-forward over real sockets against a real relay process: routing, per-tick batching,
 * acknowledgement by cursor, and no loss across SIGKILL (commit before "stored").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES } from '../../shared/wire/index.js';
import { type RelayProcess, makeDataDir, startRelayProcess } from './support/relay-process.js';
import {
  type Account,
  type Conversation,
  type Device,
  connectDevice,
  connectVisitor,
  enrolDevice,
  envelope,
  http,
  openConversation,
  registerAndLogin,
} from './support/relay-api.js';
import type { TestClient } from './support/ws-client.js';

const ENV = { SEALDESK_MESSAGES_PER_SECOND: '5000' };
const body = (text: string): Uint8Array => new TextEncoder().encode(text);

function metric(text: string, name: string): number {
  const m = new RegExp(`^${name} (\\d+)$`, 'm').exec(text);
  return m?.[1] === undefined ? Number.NaN : Number(m[1]);
}

describe('relay delivery', () => {
  const data = makeDataDir();
  let relay: RelayProcess;
  let account: Account;
  let agent: Device;
  let agent2: Device;
  let conversation: Conversation;
  const open: TestClient[] = [];

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir, ENV);
    account = await registerAndLogin(relay.origin, 'support@example.test');
    agent = await enrolDevice(relay.origin, account);
    agent2 = await enrolDevice(relay.origin, account);
    conversation = await openConversation(relay.origin, account.accountId);
  });
  afterAll(async () => {
    await Promise.all(open.map((c) => c.close()));
    await relay.stop('SIGKILL');
    data.remove();
  });

  it('routes visitor -> device and device -> visitor, "stored" only after commit', async () => {
    const device = await connectDevice(relay.wsUrl, agent);
    const visitor = await connectVisitor(relay.wsUrl, conversation);
    open.push(device, visitor);
    expect(device.of('ready')[0]?.role).toBe(ROLES.device);
    expect(visitor.of('ready')[0]?.role).toBe(ROLES.visitor);

    const toAgent = envelope(conversation.conversationId, { device: agent.deviceId }, body('hello agent'));
    visitor.send({ type: 'send', requestId: 7, envelope: toAgent });
    await visitor.until((f) => f.some((x) => x.type === 'stored'), 'stored');
    await device.until((f) => f.some((x) => x.type === 'deliver'), 'deliver');
    const stored = visitor.of('stored')[0];
    const delivered = device.of('deliver')[0];
    expect(stored?.requestId).toBe(7);
    expect(delivered?.cursor).toBe(stored?.cursor);
    expect(delivered?.envelope).toEqual(toAgent);

    const toVisitor = envelope(conversation.conversationId, 'visitor', body('hello visitor'));
    device.send({ type: 'send', requestId: 1, envelope: toVisitor });
    await visitor.until((f) => f.some((x) => x.type === 'deliver'), 'deliver to visitor');
    expect(visitor.of('deliver')[0]?.envelope).toEqual(toVisitor);

    // Agent fan-out to the account's other device.
    const second = await connectDevice(relay.wsUrl, agent2);
    open.push(second);
    device.send({
      type: 'send',
      requestId: 2,
      envelope: envelope(conversation.conversationId, { device: agent2.deviceId }, body('copy')),
    });
    await second.until((f) => f.some((x) => x.type === 'deliver'), 'deliver to second device');
    for (const c of [device, visitor, second])
      c.send({ type: 'ack', cursor: Math.max(0, ...c.of('deliver').map((d) => d.cursor)) });
  });

  it('commits all frames of a tick in one transaction and delivers them in cursor order', async () => {
    const before = metric(
      new TextDecoder().decode((await http(relay.origin, 'GET', '/metrics')).bytes),
      'sealdesk_commit_batches_total',
    );
    expect(before).toBeGreaterThan(0);
    const visitor = await connectVisitor(relay.wsUrl, conversation);
    const device = await connectDevice(relay.wsUrl, agent);
    open.push(visitor, device);
    const n = 200;
    // One WebSocket write carrying many frames: they arrive in the same tick.
    for (let i = 1; i <= n; i++)
      visitor.send({
        type: 'send',
        requestId: i,
        envelope: envelope(conversation.conversationId, { device: agent.deviceId }, body(`m${i}`)),
      });
    await visitor.until((f) => f.filter((x) => x.type === 'stored').length === n, `${n} stored`);
    await device.until((f) => f.filter((x) => x.type === 'deliver').length === n, `${n} delivered`);
    const cursors = device.of('deliver').map((d) => d.cursor);
    expect([...cursors].sort((a, b) => a - b)).toEqual(cursors);
    expect(new Set(cursors).size).toBe(n);
    const after = metric(
      new TextDecoder().decode((await http(relay.origin, 'GET', '/metrics')).bytes),
      'sealdesk_commit_batches_total',
    );
    expect(after - before).toBeLessThan(n / 2);
    device.send({ type: 'ack', cursor: cursors[cursors.length - 1] ?? 0 });
  });

  it('keeps an acknowledged cursor: reconnecting devices get only what is after it', async () => {
    const visitor = await connectVisitor(relay.wsUrl, conversation);
    open.push(visitor);
    visitor.send({
      type: 'send',
      requestId: 1,
      envelope: envelope(conversation.conversationId, { device: agent2.deviceId }, body('a')),
    });
    visitor.send({
      type: 'send',
      requestId: 2,
      envelope: envelope(conversation.conversationId, { device: agent2.deviceId }, body('b')),
    });
    await visitor.until((f) => f.filter((x) => x.type === 'stored').length === 2, 'stored');
    const first = await connectDevice(relay.wsUrl, agent2);
    await first.until((f) => f.filter((x) => x.type === 'deliver').length === 2, 'two queued');
    const [a, b] = first.of('deliver');
    first.send({ type: 'ack', cursor: a?.cursor ?? 0 });
    await new Promise((r) => setTimeout(r, 200));
    await first.close();
    const again = await connectDevice(relay.wsUrl, agent2);
    open.push(again);
    await again.until((f) => f.some((x) => x.type === 'deliver'), 'redelivery of the unacked one');
    await new Promise((r) => setTimeout(r, 200));
    expect(again.of('deliver').map((d) => d.cursor)).toEqual([b?.cursor]);
  });
});

describe('relay crash safety', () => {
  const data = makeDataDir();
  const running: RelayProcess[] = [];

  afterAll(async () => {
    for (const r of running) await r.stop('SIGKILL');
    data.remove();
  });

  it('delivers a message stored before SIGKILL exactly once after restart (client dedupes by cursor)', async () => {
    const first = await startRelayProcess(data.dir, ENV);
    running.push(first);
    const account = await registerAndLogin(first.origin, 'crisis-line@example.test');
    const agent = await enrolDevice(first.origin, account);
    const conversation = await openConversation(first.origin, account.accountId);
    const visitor = await connectVisitor(first.wsUrl, conversation);
    const sent = envelope(conversation.conversationId, { device: agent.deviceId }, body('please call me back'));
    visitor.send({ type: 'send', requestId: 42, envelope: sent });
    await visitor.until((f) => f.some((x) => x.type === 'stored'), 'stored');
    // The relay said "stored": kill it without any chance to flush.
    expect(await first.stop('SIGKILL')).toBeNull();
    await visitor.until(() => visitor.closeCode !== undefined, 'socket closed');

    const second = await startRelayProcess(data.dir, ENV);
    running.push(second);
    const seen = new Map<number, Uint8Array>();
    const receive = (c: TestClient): void => {
      for (const d of c.of('deliver')) seen.set(d.cursor, d.envelope);
    };

    // Receiver connects, gets the message, drops before acking: at-least-once means it comes again.
    const d1 = await connectDevice(second.wsUrl, agent);
    await d1.until((f) => f.some((x) => x.type === 'deliver'), 'delivery after restart');
    receive(d1);
    await d1.close();
    const d2 = await connectDevice(second.wsUrl, agent);
    await d2.until((f) => f.some((x) => x.type === 'deliver'), 'redelivery');
    receive(d2);
    expect(d2.of('deliver').map((d) => d.cursor)).toEqual(d1.of('deliver').map((d) => d.cursor));
    expect(seen.size).toBe(1);
    expect([...seen.values()][0]).toEqual(sent);
    // Resuming from its cursor, or after acking, nothing is delivered again.
    const cursor = [...seen.keys()][0] ?? 0;
    d2.send({ type: 'ack', cursor });
    await new Promise((r) => setTimeout(r, 300));
    await d2.close();
    const d3 = await connectDevice(second.wsUrl, agent, 0);
    await new Promise((r) => setTimeout(r, 300));
    expect(d3.of('deliver')).toEqual([]);
    await d3.close();
  });
});
