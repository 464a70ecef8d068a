/**
 * Bad input on the WebSocket, against a real relay process: each bad frame gets its documented
 * error code (docs/PROTOCOL.md §16.4) while the same connection's valid traffic continues; plus
 * rate limits, slow consumers and heartbeats.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_FRAME_TYPES, FRAME_ERRORS, FRAME_VERSION, encodeClientFrame } from '../../shared/wire/index.js';
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
  ids,
  openConversation,
  registerAndLogin,
  signChallenge,
} from './support/relay-api.js';
import { TestClient } from './support/ws-client.js';

const body = (n: number, fill = 1): Uint8Array => new Uint8Array(n).fill(fill);
const errorCodes = (c: TestClient): number[] => c.of('error').map((e) => e.code);

describe('relay frame validation and limits', () => {
  const data = makeDataDir();
  let relay: RelayProcess;
  let account: Account;
  let agent: Device;
  let conversation: Conversation;
  let foreign: Conversation;

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir, {
      SEALDESK_MESSAGES_PER_SECOND: '200',
      SEALDESK_HEARTBEAT_MS: '1000',
      SEALDESK_MAX_BUFFERED_BYTES: String(64 * 1024),
    });
    account = await registerAndLogin(relay.origin, 'fintech@example.test');
    agent = await enrolDevice(relay.origin, account);
    conversation = await openConversation(relay.origin, account.accountId);
    // OPAQUE work blocks this process for a while (no pongs): do it all before connecting.
    const stranger = await registerAndLogin(relay.origin, 'stranger@example.test');
    foreign = await openConversation(relay.origin, stranger.accountId);
  });
  afterAll(async () => {
    await relay.stop('SIGKILL');
    data.remove();
  });

  it('answers malformed, oversized, unknown-version and unknown-type frames with their codes and keeps serving', async () => {
    const c = await TestClient.connect(relay.wsUrl);
    await c.until((f) => f.some((x) => x.type === 'challenge'), 'challenge');
    const valid = encodeClientFrame({ type: 'ack', cursor: 1 });
    const cases: [Uint8Array | string, number][] = [
      [valid.slice(0, valid.length - 1), FRAME_ERRORS['malformed-frame']],
      [new Uint8Array([...valid, 0]), FRAME_ERRORS['malformed-frame']],
      [new Uint8Array([]), FRAME_ERRORS['malformed-frame']],
      [new Uint8Array([FRAME_VERSION + 1, ...valid.slice(1)]), FRAME_ERRORS['unsupported-version']],
      [new Uint8Array([0, ...valid.slice(1)]), FRAME_ERRORS['unsupported-version']],
      [new Uint8Array([FRAME_VERSION, 0x7f, 0, 0]), FRAME_ERRORS['unknown-frame-type']],
      [new Uint8Array([FRAME_VERSION, 0x04, 0, 0]), FRAME_ERRORS['unknown-frame-type']],
      [new Uint8Array(65_537), FRAME_ERRORS['frame-too-large']],
      ['{"type":"hello"}', FRAME_ERRORS['text-frame']],
      [valid, FRAME_ERRORS['not-authenticated']],
    ];
    for (const [bytes] of cases) c.sendRaw(bytes);
    await c.until((f) => f.filter((x) => x.type === 'error').length === cases.length, 'one error per bad frame');
    expect(errorCodes(c)).toEqual(cases.map(([, code]) => code));
    expect(c.closeCode).toBeUndefined();

    // The same connection now authenticates and sends normally.
    const signature = await signChallenge(agent, c.challenge());
    c.send({ type: 'hello-device', ...ids(agent), signature, resumeAfter: 0 });
    await c.until((f) => f.some((x) => x.type === 'ready'), 'ready');
    c.send({ type: 'hello-device', ...ids(agent), signature, resumeAfter: 0 });
    c.send({ type: 'send', requestId: 5, envelope: new Uint8Array([1, 1, 0]) });
    // An envelope for a conversation of another account, and for an unknown device.
    c.send({ type: 'send', requestId: 6, envelope: envelope(foreign.conversationId, 'visitor', body(10)) });
    c.send({
      type: 'send',
      requestId: 7,
      envelope: envelope(conversation.conversationId, { device: 'ab'.repeat(16) }, body(10)),
    });
    c.send({ type: 'send', requestId: 8, envelope: envelope(conversation.conversationId, 'visitor', body(10)) });
    await c.until((f) => f.some((x) => x.type === 'stored'), 'stored');
    const tail = c.of('error').slice(cases.length);
    expect(tail.map((e) => [e.requestId, e.code])).toEqual([
      [0, FRAME_ERRORS['already-authenticated']],
      [5, FRAME_ERRORS['malformed-envelope']],
      [6, FRAME_ERRORS.forbidden],
      [7, FRAME_ERRORS['unknown-recipient']],
    ]);
    expect(c.of('stored')[0]?.requestId).toBe(8);
    const metrics = new TextDecoder().decode((await http(relay.origin, 'GET', '/metrics')).bytes);
    expect(metrics).toMatch(/sealdesk_rejects_total\{reason="frame-too-large"\} [1-9]/);
    expect(metrics).toMatch(/sealdesk_rejects_total\{reason="unsupported-version"\} [1-9]/);
    await c.close();
  });

  it('closes on a failed hello (auth-failed) and on frames far past the cap', async () => {
    const c = await TestClient.connect(relay.wsUrl);
    await c.until((f) => f.some((x) => x.type === 'challenge'), 'challenge');
    const wrong = await signChallenge(agent, new Uint8Array(32));
    c.send({ type: 'hello-device', ...ids(agent), signature: wrong, resumeAfter: 0 });
    await c.until(() => c.closeCode !== undefined, 'close');
    expect(errorCodes(c)).toEqual([FRAME_ERRORS['auth-failed']]);
    expect(c.closeCode).toBe(4401);

    const huge = await TestClient.connect(relay.wsUrl);
    huge.sendRaw(new Uint8Array(1024 * 1024));
    await huge.until(() => huge.closeCode !== undefined, 'close');
    expect(huge.closeCode).toBe(1009);
    expect(encodeClientFrame({ type: 'ack', cursor: 0 })[1]).toBe(CLIENT_FRAME_TYPES.ack);
  });

  it('drops frames over the per-connection rate with rate-limited, then accepts traffic again', async () => {
    const visitor = await connectVisitor(relay.wsUrl, conversation);
    const frame = {
      type: 'send',
      envelope: envelope(conversation.conversationId, { device: agent.deviceId }, body(4)),
    } as const;
    for (let i = 1; i <= 600; i++) visitor.send({ ...frame, requestId: i });
    await visitor.until((f) => f.filter((x) => x.type === 'stored' || x.type === 'error').length >= 600, 'answers');
    const limited = visitor.of('error').filter((e) => e.code === FRAME_ERRORS['rate-limited']).length;
    // 200 per second with a burst of 200: however the frames trickle in, most of 600 are refused.
    expect(limited).toBeGreaterThanOrEqual(100);
    expect(visitor.of('stored').length + limited).toBe(600);
    await new Promise((r) => setTimeout(r, 1100));
    visitor.send({ ...frame, requestId: 1000 });
    await visitor.until((f) => f.some((x) => x.type === 'stored' && x.requestId === 1000), 'stored after the window');
    await visitor.close();
  });

  it('disconnects a slow consumer; its messages stay queued', async () => {
    const slow = await connectDevice(relay.wsUrl, agent);
    slow.ws.pause();
    const visitor = await connectVisitor(relay.wsUrl, conversation);
    // 150 different envelopes (equal ones would be one message and its resends, PROTOCOL §16.2).
    const big = (i: number): Uint8Array =>
      envelope(conversation.conversationId, { device: agent.deviceId }, body(60_000, i));
    for (let i = 1; i <= 150; i++) visitor.send({ type: 'send', requestId: i, envelope: big(i) });
    await visitor.until((f) => f.filter((x) => x.type === 'stored').length === 150, 'all stored', 20_000);
    const deadline = Date.now() + 10_000;
    let metrics = '';
    const pending = (): number => Number(/sealdesk_queue_pending_messages (\d+)/.exec(metrics)?.[1]);
    // Queue statistics may be up to QUEUE_STATS_MAX_AGE_MS old (relay/queue-stats-cache.ts).
    while (Date.now() < deadline) {
      metrics = new TextDecoder().decode((await http(relay.origin, 'GET', '/metrics')).bytes);
      if (/reason="slow-consumer"\} [1-9]/.test(metrics) && pending() >= 150) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(metrics).toMatch(/reason="slow-consumer"\} [1-9]/);
    expect(pending()).toBeGreaterThanOrEqual(150);
    slow.ws.resume();
    await slow.until(() => slow.closeCode !== undefined, 'closed');
    await visitor.close();
  });

  it('closes sockets that stop answering pings (heartbeat)', async () => {
    const dead = await TestClient.connect(relay.wsUrl, { autoPong: false });
    const live = await TestClient.connect(relay.wsUrl);
    await dead.until(() => dead.closeCode !== undefined, 'heartbeat close', 5_000);
    expect(dead.closeCode).toBe(1006);
    expect(live.closeCode).toBeUndefined();
    await live.close();
  });
});
