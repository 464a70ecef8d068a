/**
 * The Hub's group commit and corking (relay/ws/hub.ts): frames that arrive while a commit waits
 * for the disk become the next batch, cursors reach receivers in order, and every connection's
 * frames of one batch are written between one cork and its uncork.
 */
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../relay/log.js';
import { Metrics } from '../../relay/metrics.js';
import { MemoryStore } from '../../relay/store/memory-store.js';
import type { Ack, CommittedSend, NewMessage, StoredMessage } from '../../relay/store/store.js';
import { deviceQueue, visitorQueue } from '../../relay/store/store.js';
import { Hub, type Subscriber } from '../../relay/ws/hub.js';

/** A real MemoryStore whose commits wait until released, like a slow disk. */
class SlowDiskStore extends MemoryStore {
  readonly commits: number[] = [];
  #waiting: (() => void)[] = [];

  releaseAll(): void {
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const go of waiting) go();
  }

  override async commit(messages: readonly NewMessage[], acks: readonly Ack[], now: number): Promise<CommittedSend[]> {
    const seqs = await super.commit(messages, acks, now);
    this.commits.push(messages.length);
    await new Promise<void>((resolve) => {
      this.#waiting.push(resolve);
    });
    return seqs;
  }
}

/** Records what the Hub asks of a connection, and whether it was corked at the time. */
class Recorder implements Subscriber {
  readonly events: string[] = [];
  readonly delivered: number[] = [];
  #corks = 0;

  push(message: StoredMessage): void {
    this.delivered.push(message.seq);
    this.events.push(this.#corks > 0 ? 'deliver(corked)' : 'deliver');
  }

  stored(_requestId: number, cursor: number): void {
    this.events.push(this.#corks > 0 ? `stored ${cursor} (corked)` : `stored ${cursor}`);
  }

  recheck(head: number): void {
    this.events.push(`recheck ${head}`);
  }

  storeFailed(requestId: number): void {
    this.events.push(`failed ${requestId}`);
  }

  queueFull(requestId: number): void {
    this.events.push(`full ${requestId}`);
  }

  nudge(): void {
    this.events.push('nudge');
  }

  teamSignal(author: string, blob: Uint8Array): void {
    this.events.push(`signal ${author.slice(0, 1)} ${blob.length}`);
  }

  close(): void {
    this.events.push('close');
  }

  cork(): void {
    this.#corks += 1;
    this.events.push('cork');
  }

  uncork(): void {
    this.#corks -= 1;
    this.events.push('uncork');
  }
}

const tick = (): Promise<void> =>
  new Promise((resolve) => {
    setImmediate(resolve);
  });

describe('Hub', () => {
  it('§16.2: a resend, in the same batch or a later one, is answered with the first cursor and delivered once', async () => {
    const store = new MemoryStore();
    const metrics = new Metrics();
    const hub = new Hub(
      store,
      createLogger('error', () => undefined),
      metrics,
      () => 1,
    );
    const queue = deviceQueue('a'.repeat(32), 'd'.repeat(32));
    const sender = new Recorder();
    const receiver = new Recorder();
    hub.subscribe(queue, receiver);
    const message = (b: number): NewMessage => ({
      queue,
      conversationId: 'c'.repeat(32),
      envelope: new Uint8Array([b]),
    });
    // One batch: the envelope twice (an outbox that resent before its first `stored` came back).
    hub.send(sender, 1, message(7));
    hub.send(sender, 2, message(7));
    await hub.drain();
    // A later batch: the same bytes again (the `stored` frames were lost), and a new message.
    hub.send(sender, 3, message(7));
    hub.send(sender, 4, message(8));
    await hub.drain();
    expect(sender.events.filter((e) => e.startsWith('stored'))).toEqual([
      'stored 1 (corked)',
      'stored 1 (corked)',
      'stored 1 (corked)',
      'stored 2 (corked)',
    ]);
    expect(receiver.delivered).toEqual([1, 2]);
    expect([metrics.messagesIn, metrics.resends]).toEqual([2, 2]);
    expect((await store.fetchQueue(queue, 0, 10)).map((m) => m.seq)).toEqual([1, 2]);
  });

  it('commits frames that arrive during a commit as one next batch, in cursor order, corked per connection', async () => {
    const store = new SlowDiskStore();
    const metrics = new Metrics();
    const hub = new Hub(
      store,
      createLogger('error', () => undefined),
      metrics,
      () => 1,
    );
    const queue = deviceQueue('a'.repeat(32), 'd'.repeat(32));
    const sender = new Recorder();
    const receiver = new Recorder();
    hub.subscribe(queue, receiver);
    const message = (b: number): NewMessage => ({
      queue,
      conversationId: 'c'.repeat(32),
      envelope: new Uint8Array([b]),
    });

    hub.send(sender, 1, message(1));
    await tick();
    expect(store.commits).toEqual([1]);
    // Five more ticks of traffic while the first commit is still waiting for the disk.
    for (let i = 2; i <= 6; i++) {
      hub.send(sender, i, message(i));
      await tick();
    }
    expect(store.commits).toEqual([1]);
    expect(sender.events).toEqual([]);
    store.releaseAll();
    await tick();
    expect(store.commits).toEqual([1, 5]);
    store.releaseAll();
    await hub.drain();

    expect(metrics.batches).toBe(2);
    expect(receiver.delivered).toEqual([1, 2, 3, 4, 5, 6]);
    expect(sender.events).toEqual([
      'cork',
      'stored 1 (corked)',
      'uncork',
      'cork',
      'stored 2 (corked)',
      'stored 3 (corked)',
      'stored 4 (corked)',
      'stored 5 (corked)',
      'stored 6 (corked)',
      'uncork',
    ]);
    expect(receiver.events.filter((e) => e === 'deliver')).toEqual([]);
    expect(receiver.events.filter((e) => e === 'cork')).toHaveLength(2);
  });

  it('§16.11: a nudge reaches the account’s other connected devices only, not the writer, another account or a visitor', () => {
    const hub = new Hub(
      new MemoryStore(),
      createLogger('error', () => undefined),
      new Metrics(),
      () => 1,
    );
    const [account, other] = ['a'.repeat(32), 'b'.repeat(32)];
    const writer = new Recorder();
    const sibling = new Recorder();
    const siblingSecondTab = new Recorder();
    const stranger = new Recorder();
    const visitor = new Recorder();
    const gone = new Recorder();
    hub.subscribe(deviceQueue(account, '1'.repeat(32)), writer);
    hub.subscribe(deviceQueue(account, '2'.repeat(32)), sibling);
    hub.subscribe(deviceQueue(account, '2'.repeat(32)), siblingSecondTab);
    hub.subscribe(deviceQueue(account, '3'.repeat(32)), gone);
    hub.unsubscribe(deviceQueue(account, '3'.repeat(32)), gone);
    hub.subscribe(deviceQueue(other, '2'.repeat(32)), stranger);
    hub.subscribe(visitorQueue('c'.repeat(32)), visitor);
    hub.nudgeAccount(account, '1'.repeat(32));
    expect(sibling.events).toEqual(['nudge']);
    expect(siblingSecondTab.events).toEqual(['nudge']);
    for (const r of [writer, stranger, visitor, gone]) expect(r.events).toEqual([]);
  });

  it('§16.12: a team signal reaches the account’s other connected devices only, named by its author', () => {
    const hub = new Hub(
      new MemoryStore(),
      createLogger('error', () => undefined),
      new Metrics(),
      () => 1,
    );
    const [account, other] = ['a'.repeat(32), 'b'.repeat(32)];
    const [author, authorSecondTab, sibling, stranger, visitor] = [
      new Recorder(),
      new Recorder(),
      new Recorder(),
      new Recorder(),
      new Recorder(),
    ];
    hub.subscribe(deviceQueue(account, '1'.repeat(32)), author);
    hub.subscribe(deviceQueue(account, '1'.repeat(32)), authorSecondTab);
    hub.subscribe(deviceQueue(account, '2'.repeat(32)), sibling);
    hub.subscribe(deviceQueue(other, '2'.repeat(32)), stranger);
    hub.subscribe(visitorQueue('c'.repeat(32)), visitor);
    hub.forwardTeamSignal(account, '1'.repeat(32), new Uint8Array(145));
    expect(sibling.events).toEqual(['signal 1 145']);
    for (const r of [author, authorSecondTab, stranger, visitor]) expect(r.events).toEqual([]);
  });
});
