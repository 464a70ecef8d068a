/**
 * The relay's routing runs unchanged on the in-memory Store (routing depends only on the Store
 * interface), in-process, over real sockets. Also checks that the logs never contain an
 * envelope body, a session token or a capability.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../relay/config.js';
import { createLogger } from '../../relay/log.js';
import { type RunningRelay, startRelay } from '../../relay/server.js';
import { MemoryStore } from '../../relay/store/memory-store.js';
import type { Ack, CommittedSend, NewMessage, PurgeCounts, QueueKey, StoredMessage } from '../../relay/store/store.js';
import { FRAME_ERRORS, asConversationId, idBytesFromHex } from '../../shared/wire/index.js';
import { makeDataDir } from './support/relay-process.js';
import {
  connectDevice,
  connectVisitor,
  enrolDevice,
  envelope,
  http,
  openConversation,
  registerAndLogin,
  unb64,
} from './support/relay-api.js';
import { TestClient } from './support/ws-client.js';

const CANARY = 'CANARY-plaintext-7f3a';

/**
 * The real in-memory store with injected conditions: the next commit throws (like a full disk);
 * the next purge runs as if the retention period had passed for everything (`ageNextPurge`);
 * the next queue fetch waits for `holdNextFetch` (a slow disk).
 */
class FlakyStore extends MemoryStore {
  failNext = false;
  ageNextPurge = false;
  holdNextFetch: Promise<void> | undefined;

  override async fetchQueue(queue: QueueKey, after: number, limit: number): Promise<StoredMessage[]> {
    const hold = this.holdNextFetch;
    this.holdNextFetch = undefined;
    if (hold !== undefined) await hold;
    return super.fetchQueue(queue, after, limit);
  }

  override purge(cutoff: number, now: number): Promise<PurgeCounts> {
    const aged = this.ageNextPurge;
    this.ageNextPurge = false;
    return super.purge(aged ? now + 3_600_000 : cutoff, now);
  }

  override commit(messages: readonly NewMessage[], acks: readonly Ack[], now: number): Promise<CommittedSend[]> {
    if (this.failNext) {
      this.failNext = false;
      return Promise.reject(new Error('disk full'));
    }
    return super.commit(messages, acks, now);
  }
}

describe('relay on the in-memory store', () => {
  const data = makeDataDir();
  const lines: string[] = [];
  let relay: RunningRelay;
  let wsUrl: string;
  const store = new FlakyStore();

  beforeAll(async () => {
    const config = loadConfig({
      PORT: '0',
      SEALDESK_DATA_DIR: data.dir,
      SEALDESK_LOG_LEVEL: 'debug',
      SEALDESK_MAX_BUFFERED_BYTES: String(256 * 1024),
      SEALDESK_PENDING_CONNECTIONS_PER_ADDRESS: '4',
    });
    relay = await startRelay(
      config,
      createLogger('debug', (line) => lines.push(line)),
      store,
    );
    wsUrl = `${relay.origin.replace('http', 'ws')}/v1/ws`;
  });
  afterAll(async () => {
    await relay.close();
    data.remove();
  });

  it('routes a visitor message to the device and the reply back, without logging content or secrets', async () => {
    const account = await registerAndLogin(relay.origin, 'memory@example.test');
    const agent = await enrolDevice(relay.origin, account);
    const conversation = await openConversation(relay.origin, account.accountId);
    const visitor = await connectVisitor(wsUrl, conversation);
    const canary = new TextEncoder().encode(CANARY);
    visitor.send({
      type: 'send',
      requestId: 1,
      envelope: envelope(conversation.conversationId, { device: agent.deviceId }, canary),
    });
    await visitor.until((f) => f.some((x) => x.type === 'stored'), 'stored');
    const device = await connectDevice(wsUrl, agent);
    await device.until((f) => f.some((x) => x.type === 'deliver'), 'backlog delivery');
    device.send({ type: 'send', requestId: 2, envelope: envelope(conversation.conversationId, 'visitor', canary) });
    await visitor.until((f) => f.some((x) => x.type === 'deliver'), 'reply');
    const upload = await http(relay.origin, 'POST', `/v1/conversations/${conversation.conversationId}/attachments`, {
      body: canary,
      headers: { 'sealdesk-capability': conversation.capability },
    });
    expect(upload.status).toBe(201);
    await Promise.all([visitor.close(), device.close()]);

    const log = lines.join('');
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
    expect(log).not.toContain(CANARY);
    expect(log).not.toContain(Buffer.from(CANARY).toString('base64'));
    expect(log).not.toContain(Buffer.from(CANARY).toString('hex'));
    expect(log).not.toContain(account.token);
    expect(log).not.toContain(conversation.capability);
  });

  it('answers storage-failed when a commit fails, keeps the connection, and accepts the resend', async () => {
    const account = await registerAndLogin(relay.origin, 'flaky@example.test');
    const agent = await enrolDevice(relay.origin, account);
    const conversation = await openConversation(relay.origin, account.accountId);
    const visitor = await connectVisitor(wsUrl, conversation);
    const device = await connectDevice(wsUrl, agent);
    const frame = {
      type: 'send',
      envelope: envelope(conversation.conversationId, { device: agent.deviceId }, new Uint8Array([1])),
    } as const;
    store.failNext = true;
    visitor.send({ ...frame, requestId: 1 });
    await visitor.until((f) => f.some((x) => x.type === 'error'), 'error');
    expect(visitor.of('error').map((e) => [e.requestId, e.code])).toEqual([[1, FRAME_ERRORS['storage-failed']]]);
    await new Promise((r) => setTimeout(r, 100));
    expect(device.of('deliver')).toEqual([]);
    visitor.send({ ...frame, requestId: 2 });
    await device.until((f) => f.some((x) => x.type === 'deliver'), 'delivery of the resend');
    expect(visitor.of('stored').map((s) => s.requestId)).toEqual([2]);
    expect(lines.join('')).toContain('store.commit-failed');
    await Promise.all([visitor.close(), device.close()]);
  });
  it('drops a device whose backlog is slow to load once live messages for it pass the buffer cap; none is lost', async () => {
    const account = await registerAndLogin(relay.origin, 'stall@example.test');
    const agent = await enrolDevice(relay.origin, account);
    const conversation = await openConversation(relay.origin, account.accountId);
    const visitor = await connectVisitor(wsUrl, conversation);
    let release = (): void => undefined;
    store.holdNextFetch = new Promise((resolve) => {
      release = resolve;
    });
    const device = await connectDevice(wsUrl, agent);
    // 6 x 60 KB arrive while the device's backlog is still loading: past the 256 KiB cap.
    // Six different envelopes (six equal ones would be one message and five resends, §16.2).
    const big = (i: number): Uint8Array =>
      envelope(conversation.conversationId, { device: agent.deviceId }, new Uint8Array(60_000).fill(i));
    for (let i = 1; i <= 6; i++) visitor.send({ type: 'send', requestId: i, envelope: big(i) });
    await visitor.until((f) => f.filter((x) => x.type === 'stored').length === 6, 'all stored');
    await device.until(() => device.closeCode !== undefined, 'device dropped');
    release();
    expect(lines.join('')).toContain('ws.slow-consumer');
    const again = await connectDevice(wsUrl, agent);
    await again.until(
      (f) => f.filter((x) => x.type === 'deliver').length === 6,
      'all six delivered after reconnecting',
    );
    await Promise.all([visitor.close(), again.close()]);
  });

  it('refuses a 5th unauthenticated connection from one address (429); a hello or a close frees a slot', async () => {
    const account = await registerAndLogin(relay.origin, 'pending@example.test');
    const conversation = await openConversation(relay.origin, account.accountId);
    const raw = await Promise.all([1, 2, 3, 4].map(() => TestClient.connect(wsUrl)));
    await expect(TestClient.connect(wsUrl)).rejects.toThrow('429');
    // The first one authenticates: it no longer counts.
    const [first, second] = raw;
    if (first === undefined || second === undefined) throw new Error('not connected');
    await first.until((f) => f.some((x) => x.type === 'challenge'), 'challenge');
    first.send({
      type: 'hello-visitor',
      conversationId: asConversationId(idBytesFromHex(conversation.conversationId)),
      capability: unb64(conversation.capability),
      resumeAfter: 0,
    });
    await first.until((f) => f.some((x) => x.type === 'ready'), 'ready');
    const fifth = await TestClient.connect(wsUrl);
    await expect(TestClient.connect(wsUrl)).rejects.toThrow('429');
    // One that leaves frees its slot too.
    await second.close();
    let again: TestClient | undefined;
    for (let i = 0; i < 50 && again === undefined; i++) {
      again = await TestClient.connect(wsUrl).catch(async () => {
        await new Promise((r) => setTimeout(r, 20));
        return undefined;
      });
    }
    expect(again).toBeDefined();
    expect(new TextDecoder().decode((await http(relay.origin, 'GET', '/metrics')).bytes)).toMatch(
      /reason="too-many-pending"\} [1-9]/,
    );
    await Promise.all([...raw.slice(2), first, fifth, ...(again === undefined ? [] : [again])].map((c) => c.close()));
  });

  // Last in this file: the aged purge deletes every conversation of the shared store.
  it('closes a visitor still connected to a conversation the retention sweep deleted as idle', async () => {
    const account = await registerAndLogin(relay.origin, 'idle@example.test');
    const agent = await enrolDevice(relay.origin, account);
    const conversation = await openConversation(relay.origin, account.accountId);
    const visitor = await connectVisitor(wsUrl, conversation);
    const device = await connectDevice(wsUrl, agent);
    store.ageNextPurge = true;
    const purged = await relay.retentionSweep();
    expect(purged.conversationIds).toContain(conversation.conversationId);
    await visitor.until(() => visitor.closeCode !== undefined, 'visitor closed');
    expect(visitor.closeCode).toBe(4410);
    // The device's queue lives on; its socket stays open.
    await new Promise((r) => setTimeout(r, 100));
    expect(device.closeCode).toBeUndefined();
    expect(lines.join('')).toContain('retention.purged');
    await device.close();
  });
});
