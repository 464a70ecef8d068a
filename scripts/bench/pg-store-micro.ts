/**
 * Micro-benchmark of the PostgreSQL store itself (relay/store/pg-store.ts), issue 14 item 5: the
 * store of this tree against a baseline module exporting `PgStore` (another version of the store,
 * e.g. the queues-in-segments one of branch wt-pg commit 5ff1cac, extracted with `git archive`), in
 * the same run, alternating, each round in a database of its own on the machine's server (dropped
 * at the end).
 *
 *   npx tsx scripts/bench/pg-store-micro.ts --baseline=<dir>/relay/store/pg-store.ts
 *     [--batches=2000] [--rounds=3] [--size=256]
 *
 * Workload, shaped like store-micro.ts (the relay at 1,000 pairs): 1,000 receiver queues, batches
 * of 70 envelopes to random queues through `commitChained`, each batch also acking 15 queues (the
 * next ones of a shuffled round) up to the newest envelope they hold, one batch in flight; every
 * batch also fetches one random queue from cursor 0 (a reconnect) so reads pay for what is left in
 * the table. Printed per message: CPU of the database's backends (from /proc: the store's pooled
 * connections, partition rounds included; autovacuum workers are not counted, which favours the
 * per-row deletes), this process's CPU, wall time; and p50 / p99 of one commit. Then the backend
 * CPU of a VACUUM of the database right after the stream (`vacuum`: the cleanup that autovacuum
 * would do later, dead rows of deletes and updates) and how many autovacuums ran during the stream,
 * and the WAL the whole server wrote during the stream per message (other work on the server counts
 * too: compare within a round pair).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Ack, NewMessage, SharedStore } from '../../relay/store/store.js';
import { deviceQueue, visitorQueue } from '../../relay/store/store.js';

interface StoreModule {
  open(url: string, options?: { poolSize?: number }): Promise<SharedStore>;
}

const ADMIN = process.env['SEALDESK_BENCH_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const BATCH = 70;
const ACKING_QUEUES_PER_BATCH = 15;
const QUEUES = 1_000;

function option(name: string, fallback: string): string {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg === undefined ? fallback : arg.slice(name.length + 3);
}

const hex = (n: number): string => createHash('sha256').update(String(n)).digest('hex').slice(0, 32);

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

async function loadStore(modulePath: string): Promise<StoreModule> {
  const mod: unknown = await import(pathToFileURL(resolve(modulePath)).href);
  const ctor = (mod as { PgStore?: unknown }).PgStore;
  if (typeof ctor !== 'function' || typeof (ctor as { open?: unknown }).open !== 'function')
    throw new Error(`${modulePath} does not export PgStore`);
  return ctor as unknown as StoreModule;
}

function procCpuSeconds(pid: number | 'self'): number {
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0; // the backend exited
  }
}

async function backendsCpu(admin: pg.Client, database: string, start: Map<number, number>): Promise<number> {
  const pids = (
    await admin.query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend'",
      [database],
    )
  ).rows.map((r) => r.pid);
  let total = 0;
  for (const pid of pids) total += procCpuSeconds(pid) - (start.get(pid) ?? 0);
  return total;
}

/** The server's current WAL position in bytes. */
async function walLsn(admin: pg.Client): Promise<number> {
  const row = (await admin.query<{ b: string }>("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0') AS b")).rows[0];
  return Number(row?.b);
}

interface Result {
  readonly backendUs: number;
  readonly vacuumUs: number;
  readonly autovacuums: number;
  /** WAL written by the whole server during the stream (other databases' work included). */
  readonly walBytes: number;
  readonly nodeUs: number;
  readonly wallUs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

async function run(Store: StoreModule, batches: number, size: number): Promise<Result> {
  const database = `sealdesk_pgmicro_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const url = new URL(ADMIN);
  url.pathname = `/${database}`;
  const store = await Store.open(url.toString(), { poolSize: 4 });
  try {
    const queues = Array.from({ length: QUEUES }, (_, i) =>
      i < 100
        ? { queue: deviceQueue(hex(i % 20), hex(1000 + i)), conversationId: hex(100_000 + (i % 20)) }
        : { queue: visitorQueue(hex(100_000 + i)), conversationId: hex(100_000 + i) },
    );
    const envelopes = Array.from({ length: 16 }, () => new Uint8Array(randomBytes(size)));
    const random = prng(size);
    const newest = new Map<string, number>();
    const order = Array.from({ length: QUEUES }, (_, i) => i).sort(() => random() - 0.5);
    let ackNext = 0;
    let sent = 0;
    const batch = (): { messages: NewMessage[]; acks: Ack[] } => {
      const messages = Array.from({ length: BATCH }, () => {
        const t = queues[Math.floor(random() * QUEUES)] ?? queues[0];
        // A counter in the first 8 bytes: every message distinct, as real envelopes are (equal
        // bytes into one queue would be a resend, docs/PROTOCOL.md §16.2).
        const envelope = (envelopes[Math.floor(random() * envelopes.length)] ?? new Uint8Array(size)).slice();
        sent += 1;
        new DataView(envelope.buffer, envelope.byteOffset).setFloat64(0, sent);
        return { queue: t?.queue ?? '', conversationId: t?.conversationId ?? '', envelope };
      });
      const acks: Ack[] = [];
      for (let i = 0; i < ACKING_QUEUES_PER_BATCH; i++) {
        const q = queues[order[ackNext % QUEUES] ?? 0]?.queue ?? '';
        ackNext++;
        const upTo = newest.get(q);
        if (upTo !== undefined) acks.push({ queue: q, upTo });
      }
      return { messages, acks };
    };
    // Warm-up: every queue holds something, the pool's connections exist.
    for (let i = 0; i < 50; i++) {
      const b = batch();
      const chained = await store.commitChained(b.messages, b.acks, Date.now());
      b.messages.forEach((m, j) => newest.set(m.queue, chained[j]?.seq ?? 0));
    }
    const start = new Map<number, number>();
    for (const r of (
      await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [database])
    ).rows)
      start.set(r.pid, procCpuSeconds(r.pid));
    const wal0 = await walLsn(admin);
    const node0 = process.cpuUsage();
    const t0 = performance.now();
    const latencies: number[] = [];
    for (let i = 0; i < batches; i++) {
      const b = batch();
      const c0 = performance.now();
      const [chained] = await Promise.all([
        store.commitChained(b.messages, b.acks, Date.now()),
        store.fetchQueue(queues[Math.floor(random() * QUEUES)]?.queue ?? '', 0, 100),
      ]);
      latencies.push(performance.now() - c0);
      b.messages.forEach((m, j) => newest.set(m.queue, chained[j]?.seq ?? 0));
    }
    const messages = batches * BATCH;
    const wall = performance.now() - t0;
    const node = process.cpuUsage(node0);
    const backend = await backendsCpu(admin, database, start);
    const walBytes = (await walLsn(admin)) - wal0;
    const maint = new pg.Client({ connectionString: url.toString() });
    await maint.connect();
    let vacuum: number;
    let autovacuums: number;
    try {
      const pid = (await maint.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid ?? 0;
      autovacuums = Number(
        (await maint.query<{ n: string }>('SELECT coalesce(sum(autovacuum_count), 0) AS n FROM pg_stat_user_tables'))
          .rows[0]?.n,
      );
      const v0 = procCpuSeconds(pid);
      await maint.query('VACUUM');
      vacuum = procCpuSeconds(pid) - v0;
    } finally {
      await maint.end();
    }
    latencies.sort((a, b) => a - b);
    const at = (q: number): number =>
      latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
    return {
      backendUs: (backend * 1e6) / messages,
      vacuumUs: (vacuum * 1e6) / messages,
      autovacuums,
      walBytes: walBytes / messages,
      nodeUs: (node.user + node.system) / messages,
      wallUs: (wall * 1000) / messages,
      p50Ms: at(0.5),
      p99Ms: at(0.99),
    };
  } finally {
    await store.close();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  }
}

const baselinePath = option('baseline', '');
if (baselinePath === '') throw new Error('--baseline=<module exporting PgStore> is required');
const batches = Number(option('batches', '2000'));
const rounds = Number(option('rounds', '3'));
const size = Number(option('size', '256'));
const stores: Record<'baseline' | 'current', StoreModule> = {
  baseline: await loadStore(baselinePath),
  current: await loadStore('relay/store/pg-store.ts'),
};
const results: Record<'baseline' | 'current', Result[]> = { baseline: [], current: [] };
for (let round = 0; round < rounds; round++) {
  const order: ('baseline' | 'current')[] = round % 2 === 0 ? ['baseline', 'current'] : ['current', 'baseline'];
  for (const which of order) {
    const r = await run(stores[which], batches, size);
    results[which].push(r);
    process.stderr.write(
      `round ${round + 1} ${which.padEnd(8)}: backend ${r.backendUs.toFixed(1)} µs/msg (+ vacuum ${r.vacuumUs.toFixed(1)}, ${r.autovacuums} autovacuums), node ${r.nodeUs.toFixed(1)} µs/msg, wall ${r.wallUs.toFixed(1)} µs/msg, commit p50 ${r.p50Ms.toFixed(1)} ms p99 ${r.p99Ms.toFixed(1)} ms, server WAL ${r.walBytes.toFixed(0)} B/msg\n`,
    );
  }
}
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const m = (w: 'baseline' | 'current', k: keyof Result): number => median(results[w].map((r) => r[k]));
const line = (w: 'baseline' | 'current'): string =>
  `  ${w.padEnd(8)}  backend ${m(w, 'backendUs').toFixed(1)} µs/msg (+ vacuum ${m(w, 'vacuumUs').toFixed(1)}), node ${m(w, 'nodeUs').toFixed(1)} µs/msg, wall ${m(w, 'wallUs').toFixed(1)} µs/msg, commit p50 ${m(w, 'p50Ms').toFixed(1)} ms, p99 ${m(w, 'p99Ms').toFixed(1)} ms, server WAL ${m(w, 'walBytes').toFixed(0)} B/msg\n`;
const ratio = (k: keyof Result): string => (m('current', k) / m('baseline', k)).toFixed(2);
process.stdout.write(
  `PgStore, ${QUEUES} queues, batches of ${BATCH} (+${ACKING_QUEUES_PER_BATCH} acks, 1 fetch), ${batches} batches, ${size} B, medians of ${rounds}:\n` +
    line('baseline') +
    line('current') +
    `  current/baseline: backend CPU ${ratio('backendUs')}, vacuum ${ratio('vacuumUs')}, node CPU ${ratio('nodeUs')}, wall ${ratio('wallUs')}, p50 ${ratio('p50Ms')}, p99 ${ratio('p99Ms')}, WAL ${ratio('walBytes')}\n`,
);
