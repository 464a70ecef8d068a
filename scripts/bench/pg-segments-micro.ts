/**
 * `npx tsx scripts/bench/pg-segments-micro.ts`: issue 14, item 5 on PostgreSQL. Is it cheaper to
 * keep queues in segments that are dropped whole once acknowledged than to delete every
 * acknowledged row? Both layouts run the same synthetic stream through one commit function per
 * batch, alternating, in databases of their own on the machine's server (dropped at the end):
 *
 *   rows      the relay's layout (relay/store/pg-schema.ts): an ack deletes the queue's rows up to
 *             its cursor (sealdesk_commit as shipped);
 *   segments  messages partitioned by cursor range (SEGMENT cursors per partition); an ack only
 *             raises the queue's `acked` cursor; a partition whose every row is acknowledged is
 *             dropped whole (checked every SEGMENT cursors, as the retention sweep would).
 *
 * The stream: QUEUES receiver queues, batches of BATCH appends to random queues, each batch also
 * acknowledging what every queue had two batches earlier (receivers ack a little behind). Printed:
 * PostgreSQL backend CPU µs and wall µs per message for each, and the ratio segments/rows.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { MIGRATIONS } from '../../relay/store/pg-schema.js';

const ADMIN = process.env['SEALDESK_BENCH_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const QUEUES = 1_000;
const BATCH = 100;
const BATCHES = Number(process.env['SEGMENTS_BATCHES'] ?? '1500');
const SEGMENT = 20_000;
const ROUNDS = 3;
const ENVELOPE = new Uint8Array(200).fill(7);

const SEGMENTS_SCHEMA = `
CREATE SEQUENCE sealdesk_message_seq CACHE 1;
CREATE TABLE queues (queue_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL UNIQUE,
  last_seq bigint NOT NULL DEFAULT 0, acked bigint NOT NULL DEFAULT 0);
CREATE TABLE messages (queue_id bigint NOT NULL, seq bigint NOT NULL, created_at bigint NOT NULL,
  conversation_id text NOT NULL, envelope bytea NOT NULL) PARTITION BY RANGE (seq);
CREATE FUNCTION seg_commit(p_queues text[], p_envelopes bytea, p_offsets integer[], p_lengths integer[],
  p_ack_queues text[], p_ack_upto bigint[], p_now bigint) RETURNS TABLE (seq bigint, previous bigint)
LANGUAGE plpgsql AS $fn$
DECLARE n integer := coalesce(array_length(p_queues, 1), 0); q_ids bigint[]; q_names text[]; q_lasts bigint[]; seqs bigint[];
BEGIN
  INSERT INTO queues (name) SELECT DISTINCT q FROM unnest(p_queues) AS q ORDER BY q ON CONFLICT (name) DO NOTHING;
  SELECT array_agg(l.queue_id), array_agg(l.name), array_agg(l.last_seq) INTO q_ids, q_names, q_lasts
    FROM (SELECT x.queue_id, x.name, x.last_seq FROM queues x WHERE x.name = ANY (p_queues) ORDER BY x.name FOR UPDATE) l;
  seqs := ARRAY(SELECT nextval('sealdesk_message_seq') FROM generate_series(1, n));
  RETURN QUERY
  WITH m AS (SELECT i, b.queue_id, b.last_seq, seqs[i] AS s FROM generate_subscripts(p_queues, 1) AS i
             JOIN unnest(q_ids, q_names, q_lasts) AS b(queue_id, name, last_seq) ON b.name = p_queues[i]),
  ins AS (INSERT INTO messages SELECT m.queue_id, m.s, p_now, 'c', substring(p_envelopes FROM p_offsets[m.i] + 1 FOR p_lengths[m.i]) FROM m),
  upd AS (UPDATE queues q SET last_seq = x.top FROM (SELECT m.queue_id, max(m.s) AS top FROM m GROUP BY m.queue_id) x WHERE q.queue_id = x.queue_id)
  SELECT m.s, coalesce(lag(m.s) OVER (PARTITION BY m.queue_id ORDER BY m.i), m.last_seq) FROM m ORDER BY m.i;
  -- An ack is one column of the queue row: no message row is touched.
  UPDATE queues q SET acked = greatest(q.acked, a.upto) FROM unnest(p_ack_queues, p_ack_upto) AS a(name, upto) WHERE q.name = a.name;
END $fn$;
`;

async function withDatabase<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const name = `sealdesk_seg_${Buffer.from(crypto.getRandomValues(new Uint8Array(6))).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN);
  url.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: url.toString() });
  try {
    await client.connect();
    return await run(client);
  } finally {
    await client.end();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

function backendCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface Result {
  readonly cpuMicrosPerMessage: number;
  readonly wallMicrosPerMessage: number;
}

async function stream(client: pg.Client, layout: 'rows' | 'segments'): Promise<Result> {
  const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid ?? 0;
  const names = Array.from({ length: QUEUES }, (_, i) => `d:${String(i).padStart(32, '0')}:${'f'.repeat(32)}`);
  const envelopes = Buffer.concat(Array.from({ length: BATCH }, () => ENVELOPE));
  const offsets = Array.from({ length: BATCH }, (_, i) => i * ENVELOPE.length);
  const lengths = Array.from({ length: BATCH }, () => ENVELOPE.length);
  const heads: Map<string, number>[] = [];
  let nextSegment = 0;
  const cpu0 = backendCpuSeconds(pid);
  const t0 = performance.now();
  for (let b = 0; b < BATCHES; b++) {
    const queues = Array.from(
      { length: BATCH },
      () => names[(crypto.getRandomValues(new Uint32Array(1))[0] ?? 0) % QUEUES] ?? '',
    );
    const ackFrom = heads[b - 2] ?? new Map<string, number>();
    const ackQueues = [...ackFrom.keys()];
    const ackUpTo = [...ackFrom.values()];
    let rows: { seq: string }[];
    if (layout === 'rows') {
      rows = (
        await client.query<{ seq: string }>({
          name: 'rows',
          text: 'SELECT seq FROM sealdesk_commit($1, $2, $3, $4, $5, $6, $7, $8, $9)',
          values: [queues, queues.map(() => '0'.repeat(32)), envelopes, offsets, lengths, ackQueues, ackUpTo, [], b],
        })
      ).rows;
    } else {
      const top = Math.floor(((b + 1) * BATCH + 2 * BATCH) / SEGMENT);
      while (nextSegment <= top) {
        // Partitions are created ahead of the cursors that go into them.
        await client.query(
          `CREATE TABLE messages_${nextSegment} PARTITION OF messages FOR VALUES FROM (${nextSegment * SEGMENT + 1}) TO (${(nextSegment + 1) * SEGMENT + 1})`,
        );
        await client.query(`ALTER TABLE messages_${nextSegment} ADD PRIMARY KEY (queue_id, seq)`);
        nextSegment += 1;
      }
      rows = (
        await client.query<{ seq: string }>({
          name: 'segments',
          text: 'SELECT seq FROM seg_commit($1, $2, $3, $4, $5, $6, $7)',
          values: [queues, envelopes, offsets, lengths, ackQueues, ackUpTo, b],
        })
      ).rows;
      if (b % (SEGMENT / BATCH) === 0) await dropAcknowledgedSegments(client, nextSegment);
    }
    const batchHeads = new Map<string, number>();
    rows.forEach((r, i) => batchHeads.set(queues[i] ?? '', Number(r.seq)));
    heads.push(batchHeads);
  }
  const messages = BATCHES * BATCH;
  return {
    cpuMicrosPerMessage: ((backendCpuSeconds(pid) - cpu0) * 1e6) / messages,
    wallMicrosPerMessage: ((performance.now() - t0) * 1000) / messages,
  };
}

/** Drops every partition in which no row is above its queue's acked cursor. */
async function dropAcknowledgedSegments(client: pg.Client, created: number): Promise<void> {
  for (let s = 0; s < created; s++) {
    const exists = await client.query(`SELECT 1 FROM pg_class WHERE relname = 'messages_${s}'`);
    if (exists.rowCount === 0) continue;
    const live = await client.query(
      `SELECT 1 FROM messages_${s} m JOIN queues q USING (queue_id) WHERE m.seq > q.acked LIMIT 1`,
    );
    if (live.rowCount === 0) await client.query(`DROP TABLE messages_${s}`);
  }
}

async function prepare(client: pg.Client, layout: 'rows' | 'segments'): Promise<void> {
  if (layout === 'rows') for (const m of MIGRATIONS) await client.query(m.sql);
  else await client.query(SEGMENTS_SCHEMA);
}

const results: Record<'rows' | 'segments', Result[]> = { rows: [], segments: [] };
for (let round = 0; round < ROUNDS; round++) {
  const order: ('rows' | 'segments')[] = round % 2 === 0 ? ['rows', 'segments'] : ['segments', 'rows'];
  for (const layout of order) {
    const r = await withDatabase(async (client) => {
      await prepare(client, layout);
      return stream(client, layout);
    });
    results[layout].push(r);
    process.stderr.write(
      `round ${round + 1} ${layout.padEnd(8)}: ${r.cpuMicrosPerMessage.toFixed(1)} µs backend CPU/msg, ${r.wallMicrosPerMessage.toFixed(1)} µs wall/msg\n`,
    );
  }
}
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const cpu = (l: 'rows' | 'segments'): number => median(results[l].map((r) => r.cpuMicrosPerMessage));
const wall = (l: 'rows' | 'segments'): number => median(results[l].map((r) => r.wallMicrosPerMessage));
process.stdout.write(
  `PostgreSQL, ${QUEUES} queues, batches of ${BATCH}, ${BATCHES} batches, medians of ${ROUNDS}:\n` +
    `  rows      ${cpu('rows').toFixed(1)} µs CPU/msg, ${wall('rows').toFixed(1)} µs wall/msg\n` +
    `  segments  ${cpu('segments').toFixed(1)} µs CPU/msg, ${wall('segments').toFixed(1)} µs wall/msg\n` +
    `  segments/rows: CPU ${(cpu('segments') / cpu('rows')).toFixed(2)}, wall ${(wall('segments') / wall('rows')).toFixed(2)}\n`,
);
