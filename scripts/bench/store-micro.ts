/**
 * Micro-benchmark of the SQLite store's group commit, the relay's per-message storage cost.
 *
 *   npx tsx scripts/bench/store-micro.ts [--seconds=5] [--backlog=20000] [--sizes=256,4096]
 *     [--store=<module>] [--baseline=<module>]
 *
 * Workload (per envelope size, 256 B and 4 KiB): 1,000 receiver queues (5 device queues of each of
 * 20 accounts, and 900 visitor queues of conversations spread over those accounts), batches of
 * 50 envelopes to random queues, each batch also acking what the previous batch appended (the
 * Hub's shape under load), committed back to back with one batch in flight. `--backlog` envelopes
 * wait in 200 queues of offline receivers (100 devices, 100 visitors) that are never acked, so the
 * table and its index are not trivially small. Ids are random-looking, as in the relay.
 *
 * Printed per message: event-loop time (performance.eventLoopUtilization: JS and synchronous
 * SQLite, not the fsync wait on the thread pool) and process CPU (process.cpuUsage: every thread,
 * so fsyncs and checkpoint workers count), plus p99 / max of the synchronous part of one commit
 * (where a checkpoint on the event loop shows up). `--baseline` names another module exporting
 * `SqliteStore` (e.g. a copy of an older store); both run in turn and the ratio is printed.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createHash, randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import type { Ack, NewMessage, Store } from '../../relay/store/store.js';
import { deviceQueue, visitorQueue } from '../../relay/store/store.js';

type StoreClass = new (path: string) => Store;

interface Target { readonly queue: string; readonly conversationId: string }

interface Result {
  readonly messages: number;
  readonly loopUsPerMessage: number;
  readonly cpuUsPerMessage: number;
  readonly p99CommitMs: number;
  readonly maxCommitMs: number;
  readonly walBytes: number;
}

const BATCH = 50;
const ACCOUNTS = 20;
const DEVICES_PER_ACCOUNT = 5;
const CONVERSATIONS = 900;
const OFFLINE_QUEUES = 200;

/** Ids are random 16-byte values in the relay: queues of different receivers interleave in any index. */
const hex = (n: number): string => createHash('sha256').update(String(n)).digest('hex').slice(0, 32);

/** mulberry32: a seeded PRNG, so every run (and both stores) get the same sequence of batches. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function option(name: string, fallback: string): string {
  const prefix = `--${name}=`;
  const arg = process.argv.find((a) => a.startsWith(prefix));
  return arg === undefined ? fallback : arg.slice(prefix.length);
}

function positiveNumber(name: string, fallback: number): number {
  const value = Number(option(name, String(fallback)));
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a non-negative number`);
  return value;
}

async function loadStore(modulePath: string): Promise<StoreClass> {
  const mod: unknown = await import(pathToFileURL(resolve(modulePath)).href);
  const ctor = (mod as { SqliteStore?: unknown }).SqliteStore;
  if (typeof ctor !== 'function') throw new Error(`${modulePath} does not export SqliteStore`);
  return ctor as StoreClass;
}

function targets(): Target[] {
  const out: Target[] = [];
  for (let a = 0; a < ACCOUNTS; a += 1) {
    for (let d = 0; d < DEVICES_PER_ACCOUNT; d += 1) {
      // A device queue carries envelopes of many conversations of its account.
      out.push({ queue: deviceQueue(hex(a + 1), hex(1000 + a * 100 + d)), conversationId: hex(100_000 + a) });
    }
  }
  for (let c = 0; c < CONVERSATIONS; c += 1) out.push({ queue: visitorQueue(hex(100_000 + c)), conversationId: hex(100_000 + c) });
  return out;
}

async function setUp(store: Store, backlog: number, envelope: Uint8Array): Promise<void> {
  for (let a = 0; a < ACCOUNTS; a += 1) {
    await store.createAccount({ accountId: hex(a + 1), username: `user${String(a)}`, opaqueRecord: 'r' }, 0);
  }
  for (let c = 0; c < CONVERSATIONS; c += 1) {
    await store.createConversation({ conversationId: hex(100_000 + c), accountId: hex((c % ACCOUNTS) + 1), capabilityHash: new Uint8Array(32) }, 0);
  }
  for (let done = 0; done < backlog; done += 500) {
    const batch: NewMessage[] = [];
    for (let i = 0; i < Math.min(500, backlog - done); i += 1) {
      // Offline receivers: devices that are switched off and visitors who left, half each.
      const n = (done + i) % OFFLINE_QUEUES;
      const conversationId = hex(200_000 + n);
      const queue = n % 2 === 0 ? deviceQueue(hex(900 + n), hex(9000 + n)) : visitorQueue(conversationId);
      batch.push({ queue, conversationId, envelope });
    }
    await store.commit(batch, [], Date.now());
  }
}

async function run(Ctor: StoreClass, size: number, seconds: number, backlog: number): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), 'sealdesk-store-micro-'));
  const path = join(dir, 'relay.sqlite');
  const store = new Ctor(path);
  try {
    const envelopes = Array.from({ length: 64 }, () => new Uint8Array(randomBytes(size)));
    await setUp(store, backlog, envelopes[0] ?? new Uint8Array(size));
    const all = targets();
    const random = prng(size);
    let previous: { queue: string; seq: number }[] = [];
    const commitMs: number[] = [];
    let messages = 0;
    const elu0 = performance.eventLoopUtilization();
    const cpu0 = process.cpuUsage();
    const end = performance.now() + seconds * 1000;
    while (performance.now() < end) {
      const batch: NewMessage[] = [];
      for (let i = 0; i < BATCH; i += 1) {
        const t = all[Math.floor(random() * all.length)] ?? all[0];
        const envelope = envelopes[Math.floor(random() * envelopes.length)];
        if (t === undefined || envelope === undefined) throw new Error('empty workload');
        batch.push({ queue: t.queue, conversationId: t.conversationId, envelope });
      }
      // The highest cursor per queue of the previous batch, as the Hub coalesces acks.
      const upTo = new Map<string, number>();
      for (const p of previous) upTo.set(p.queue, Math.max(upTo.get(p.queue) ?? 0, p.seq));
      const acks: Ack[] = [...upTo].map(([queue, seq]) => ({ queue, upTo: seq }));
      const t0 = performance.now();
      const pending = store.commit(batch, acks, Date.now());
      commitMs.push(performance.now() - t0);
      const seqs = await pending;
      previous = batch.map((m, i) => ({ queue: m.queue, seq: seqs[i] ?? 0 }));
      messages += batch.length;
    }
    const cpu = process.cpuUsage(cpu0);
    const elu = performance.eventLoopUtilization(elu0);
    const walBytes = statSync(`${path}-wal`).size;
    commitMs.sort((a, b) => a - b);
    return {
      messages,
      loopUsPerMessage: (elu.active * 1000) / messages,
      cpuUsPerMessage: (cpu.user + cpu.system) / messages,
      p99CommitMs: commitMs[Math.floor(commitMs.length * 0.99)] ?? 0,
      maxCommitMs: commitMs[commitMs.length - 1] ?? 0,
      walBytes,
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function line(label: string, size: number, r: Result): string {
  return [
    label.padEnd(9), String(size).padStart(5), String(r.messages).padStart(9),
    r.loopUsPerMessage.toFixed(2).padStart(10), r.cpuUsPerMessage.toFixed(2).padStart(10),
    r.p99CommitMs.toFixed(2).padStart(9), r.maxCommitMs.toFixed(2).padStart(9),
    (r.walBytes / 1_048_576).toFixed(1).padStart(8),
  ].join(' ');
}

async function main(): Promise<void> {
  const seconds = positiveNumber('seconds', 5);
  const backlog = positiveNumber('backlog', 20_000);
  const current = await loadStore(option('store', join(import.meta.dirname, '../../relay/store/sqlite-store.ts')));
  const sizes = option('sizes', '256,4096').split(',').map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error('--sizes must list envelope sizes in bytes');
  const baselinePath = option('baseline', '');
  const baseline = baselinePath === '' ? undefined : await loadStore(baselinePath);
  console.log(`store micro-benchmark: batches of ${String(BATCH)}, 1,000 queues, backlog ${String(backlog)}, ${String(seconds)} s per run`);
  console.log('store      size  messages  loop µs/m   cpu µs/m  p99 ms    max ms   WAL MiB');
  for (const size of sizes) {
    const old = baseline === undefined ? undefined : await run(baseline, size, seconds, backlog);
    if (old !== undefined) console.log(line('baseline', size, old));
    const now = await run(current, size, seconds, backlog);
    console.log(line('current', size, now));
    if (old !== undefined) {
      console.log(`  ratio current/baseline: loop ${(now.loopUsPerMessage / old.loopUsPerMessage).toFixed(2)}, cpu ${(now.cpuUsPerMessage / old.cpuUsPerMessage).toFixed(2)}`);
    }
  }
}

await main();
