/**
 * Micro-benchmark of the SQLite store's group commit, the relay's per-message storage cost.
 *
 *   npx tsx scripts/bench/store-micro.ts [--seconds=5] [--backlog=0] [--sizes=256,4096]
 *     [--checkpoints=on|off] [--store=<module>] [--baseline=<module>]
 *
 * Workload (per envelope size), shaped like the relay under `npm run bench` at 1,000 pairs:
 * 1,000 receiver queues (5 device queues of each of 20 accounts, and 900 visitor queues of
 * conversations spread over those accounts), each starting with 1-3 envelopes pending; batches of
 * 70 envelopes to random queues, each batch also acking 15 queues (the next ones of a fixed
 * shuffled round, as receivers ack every 100 ms), each up to the newest envelope it holds, so
 * queues hold a few envelopes each; committed back to back with one batch in flight.
 * `--backlog` envelopes (default none) also wait in 200 queues of offline receivers that are never
 * acked. Ids are random-looking, as in the relay.
 *
 * Printed per message: event-loop time (performance.eventLoopUtilization: JS and synchronous
 * SQLite, not the fsync wait on the thread pool), process CPU (process.cpuUsage: every thread, so
 * fsyncs and checkpoint workers count), bytes written (wchar of /proc/self/io: the WAL, plus the
 * checkpoint's copies into the database unless `--checkpoints=off`) and, with
 * `--checkpoints=off` (the log then only grows), the WAL's growth; plus p99 / max of the
 * synchronous part of one commit. `--baseline` names another module exporting `SqliteStore`
 * (e.g. a copy of an older store); both run in turn and the ratios are printed.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createHash, randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import type { Ack, CommittedSend, NewMessage, Store } from '../../relay/store/store.js';
import { deviceQueue, visitorQueue } from '../../relay/store/store.js';

interface StoreOptions {
  readonly checkpointer?: { readonly passiveBytes?: number; readonly restartBytes?: number };
}
type StoreClass = new (path: string, options?: StoreOptions) => Store;

interface Target {
  readonly queue: string;
  readonly conversationId: string;
}

interface Result {
  readonly messages: number;
  readonly loopUsPerMessage: number;
  readonly cpuUsPerMessage: number;
  readonly p99CommitMs: number;
  readonly maxCommitMs: number;
  readonly writtenBytesPerMessage: number;
  /** WAL growth per message; only meaningful with checkpoints off. */
  readonly walBytesPerMessage: number;
}

const BATCH = 70;
const ACKING_QUEUES_PER_BATCH = 15;
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
  for (let c = 0; c < CONVERSATIONS; c += 1)
    out.push({ queue: visitorQueue(hex(100_000 + c)), conversationId: hex(100_000 + c) });
  return out;
}

/** A commit's cursor; a `--baseline` store from before PROTOCOL §16.2's resends answers plain numbers. */
function seqOf(committed: CommittedSend | number | undefined): number {
  if (committed === undefined) return 0;
  return typeof committed === 'number' ? committed : committed.seq;
}

let sent = 0;
/**
 * A copy of `envelope` with a counter in its first 8 bytes: every message of the run is distinct,
 * as real envelopes are (equal bytes into one queue would be a resend, docs/PROTOCOL.md §16.2).
 */
function distinct(envelope: Uint8Array): Uint8Array {
  const out = envelope.slice();
  sent += 1;
  new DataView(out.buffer, out.byteOffset, Math.min(8, out.length)).setFloat64(0, sent);
  return out;
}

/** Creates accounts, conversations, the pending envelopes and the backlog; fills `newest` (queue -> newest seq). */
async function setUp(
  store: Store,
  all: readonly Target[],
  backlog: number,
  envelope: Uint8Array,
  newest: Map<string, number>,
): Promise<void> {
  for (let a = 0; a < ACCOUNTS; a += 1) {
    await store.createAccount({ accountId: hex(a + 1), username: `user${String(a)}`, opaqueRecord: 'r' }, 0);
  }
  for (let c = 0; c < CONVERSATIONS; c += 1) {
    await store.createConversation(
      { conversationId: hex(100_000 + c), accountId: hex((c % ACCOUNTS) + 1), capabilityHash: new Uint8Array(32) },
      0,
    );
  }
  // 1-3 envelopes pending in every online queue, as receivers that ack every 100 ms leave them.
  const random = prng(7);
  const pending: NewMessage[] = [];
  for (const t of all) {
    const n = 1 + Math.floor(random() * 3);
    for (let i = 0; i < n; i += 1)
      pending.push({ queue: t.queue, conversationId: t.conversationId, envelope: distinct(envelope) });
  }
  const seqs = await store.commit(pending, [], Date.now());
  pending.forEach((m, i) => newest.set(m.queue, seqOf(seqs[i])));
  for (let done = 0; done < backlog; done += 500) {
    const batch: NewMessage[] = [];
    for (let i = 0; i < Math.min(500, backlog - done); i += 1) {
      // Offline receivers: devices that are switched off and visitors who left, half each.
      const n = (done + i) % OFFLINE_QUEUES;
      const conversationId = hex(200_000 + n);
      const queue = n % 2 === 0 ? deviceQueue(hex(900 + n), hex(9000 + n)) : visitorQueue(conversationId);
      batch.push({ queue, conversationId, envelope: distinct(envelope) });
    }
    await store.commit(batch, [], Date.now());
  }
}

/** Bytes this process has passed to write() so far (every thread, checkpoint worker included). */
function writtenBytes(): number {
  const match = /^wchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'));
  if (match?.[1] === undefined) throw new Error('no wchar in /proc/self/io');
  return Number(match[1]);
}

/** A permutation of 0..n-1 from `random` (Fisher-Yates). */
function shuffled(n: number, random: () => number): number[] {
  const out = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] ?? 0, out[i] ?? 0];
  }
  return out;
}

async function run(
  Ctor: StoreClass,
  size: number,
  seconds: number,
  backlog: number,
  checkpoints: boolean,
): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), 'sealdesk-store-micro-'));
  const path = join(dir, 'relay.sqlite');
  const never = Number.MAX_SAFE_INTEGER;
  const store = new Ctor(path, checkpoints ? {} : { checkpointer: { passiveBytes: never, restartBytes: never } });
  try {
    const envelopes = Array.from({ length: 64 }, () => new Uint8Array(randomBytes(size)));
    const all = targets();
    /** The newest pending seq per queue (absent: nothing pending), what a full ack names. */
    const newest = new Map<string, number>();
    await setUp(store, all, backlog, envelopes[0] ?? new Uint8Array(size), newest);
    const random = prng(size);
    const ackOrder = shuffled(all.length, random);
    let ackNext = 0;
    const commitMs: number[] = [];
    let messages = 0;
    const wal0 = statSync(`${path}-wal`).size;
    const written0 = writtenBytes();
    const elu0 = performance.eventLoopUtilization();
    const cpu0 = process.cpuUsage();
    const end = performance.now() + seconds * 1000;
    while (performance.now() < end) {
      const batch: NewMessage[] = [];
      for (let i = 0; i < BATCH; i += 1) {
        const t = all[Math.floor(random() * all.length)] ?? all[0];
        const envelope = envelopes[Math.floor(random() * envelopes.length)];
        if (t === undefined || envelope === undefined) throw new Error('empty workload');
        batch.push({ queue: t.queue, conversationId: t.conversationId, envelope: distinct(envelope) });
      }
      // The next receivers in the round ack everything they hold (committed before this batch).
      const acks: Ack[] = [];
      for (let i = 0; i < ACKING_QUEUES_PER_BATCH; i += 1) {
        const queue = all[ackOrder[ackNext] ?? 0]?.queue;
        ackNext = (ackNext + 1) % ackOrder.length;
        const upTo = queue === undefined ? undefined : newest.get(queue);
        if (queue !== undefined && upTo !== undefined) {
          acks.push({ queue, upTo });
          newest.delete(queue);
        }
      }
      const t0 = performance.now();
      const pending = store.commit(batch, acks, Date.now());
      commitMs.push(performance.now() - t0);
      const seqs = await pending;
      batch.forEach((m, i) => newest.set(m.queue, seqOf(seqs[i])));
      messages += batch.length;
    }
    const cpu = process.cpuUsage(cpu0);
    const elu = performance.eventLoopUtilization(elu0);
    const written = writtenBytes() - written0;
    const wal = statSync(`${path}-wal`).size - wal0;
    commitMs.sort((a, b) => a - b);
    return {
      messages,
      loopUsPerMessage: (elu.active * 1000) / messages,
      cpuUsPerMessage: (cpu.user + cpu.system) / messages,
      p99CommitMs: commitMs[Math.floor(commitMs.length * 0.99)] ?? 0,
      maxCommitMs: commitMs[commitMs.length - 1] ?? 0,
      writtenBytesPerMessage: written / messages,
      walBytesPerMessage: wal / messages,
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function line(label: string, size: number, r: Result): string {
  return [
    label.padEnd(9),
    String(size).padStart(5),
    String(r.messages).padStart(9),
    r.loopUsPerMessage.toFixed(2).padStart(10),
    r.cpuUsPerMessage.toFixed(2).padStart(10),
    r.p99CommitMs.toFixed(2).padStart(9),
    r.maxCommitMs.toFixed(2).padStart(9),
    r.writtenBytesPerMessage.toFixed(0).padStart(10),
    r.walBytesPerMessage.toFixed(0).padStart(9),
  ].join(' ');
}

async function main(): Promise<void> {
  const seconds = positiveNumber('seconds', 5);
  const backlog = positiveNumber('backlog', 0);
  const checkpointsOption = option('checkpoints', 'on');
  if (checkpointsOption !== 'on' && checkpointsOption !== 'off') throw new Error('--checkpoints must be on or off');
  const checkpoints = checkpointsOption === 'on';
  const current = await loadStore(option('store', join(import.meta.dirname, '../../relay/store/sqlite-store.ts')));
  const sizes = option('sizes', '256,4096').split(',').map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error('--sizes must list envelope sizes in bytes');
  const baselinePath = option('baseline', '');
  const baseline = baselinePath === '' ? undefined : await loadStore(baselinePath);
  console.log(
    `store micro-benchmark: batches of ${String(BATCH)}, ${String(ACKING_QUEUES_PER_BATCH)} queues acked per batch, 1,000 queues, backlog ${String(backlog)}, checkpoints ${checkpointsOption}, ${String(seconds)} s per run`,
  );
  console.log('store      size  messages  loop µs/m   cpu µs/m   p99 ms    max ms  written B/m  WAL B/m');
  for (const size of sizes) {
    const old = baseline === undefined ? undefined : await run(baseline, size, seconds, backlog, checkpoints);
    if (old !== undefined) console.log(line('baseline', size, old));
    const now = await run(current, size, seconds, backlog, checkpoints);
    console.log(line('current', size, now));
    if (old !== undefined) {
      const ratio = (a: number, b: number): string => (b === 0 ? '-' : (a / b).toFixed(2));
      console.log(
        `  ratio current/baseline: loop ${ratio(now.loopUsPerMessage, old.loopUsPerMessage)}, cpu ${ratio(now.cpuUsPerMessage, old.cpuUsPerMessage)}, written ${ratio(now.writtenBytesPerMessage, old.writtenBytesPerMessage)}${checkpoints ? '' : `, WAL ${ratio(now.walBytesPerMessage, old.walBytesPerMessage)}`}`,
      );
    }
  }
}

await main();
