/**
 * The inbox archive part of the PostgreSQL store (PROTOCOL §9; tables: pg-schema.ts version 5).
 * Every write runs in the caller's transaction under an advisory lock of its account or device, so
 * cursors (identity columns) commit in the order they are drawn within that scope: a reader paging
 * by `seq > after` on any node never skips a row that commits later with a smaller seq.
 */
import type pg from 'pg';
import type { ArchiveGrantRow, HistoryPutResult, HistoryRecordRow, LimitedResult } from './store.js';

type Row = Readonly<Record<string, unknown>>;
const bytes = (value: unknown): Uint8Array => new Uint8Array(value as Buffer);
const buf = (value: Uint8Array): Buffer => Buffer.from(value.buffer, value.byteOffset, value.byteLength);
const num = (value: unknown): number => Number(value);

async function lock(client: pg.PoolClient, name: string): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [name]);
}

export async function putArchiveGrant(
  c: pg.PoolClient,
  accountId: string,
  deviceId: string,
  blob: Uint8Array,
  max: number,
  now: number,
): Promise<LimitedResult> {
  await lock(c, `archive-grants:${accountId}:${deviceId}`);
  const counted = await c.query<Row>(
    'SELECT count(*) AS n FROM archive_grants WHERE account_id = $1 AND device_id = $2',
    [accountId, deviceId],
  );
  const count = num(counted.rows[0]?.['n']);
  if (count >= max) return { ok: false, count };
  await c.query('INSERT INTO archive_grants (account_id, device_id, blob, created_at) VALUES ($1, $2, $3, $4)', [
    accountId,
    deviceId,
    buf(blob),
    now,
  ]);
  return { ok: true, count: count + 1 };
}

export async function archiveGrants(
  db: pg.Pool,
  accountId: string,
  deviceId: string,
  after: number,
  limit: number,
): Promise<ArchiveGrantRow[]> {
  const r = await db.query<Row>(
    'SELECT seq, blob FROM archive_grants WHERE account_id = $1 AND device_id = $2 AND seq > $3 ORDER BY seq LIMIT $4',
    [accountId, deviceId, after, limit],
  );
  return r.rows.map((row) => ({ seq: num(row['seq']), blob: bytes(row['blob']) }));
}

export async function forgetArchiveDevice(c: pg.PoolClient, accountId: string, deviceId: string): Promise<void> {
  await c.query('DELETE FROM archive_grants WHERE account_id = $1 AND device_id = $2', [accountId, deviceId]);
}

export async function putHistoryRecord(
  c: pg.PoolClient,
  accountId: string,
  author: string,
  recordId: string,
  blob: Uint8Array,
  max: number,
  now: number,
): Promise<HistoryPutResult> {
  await lock(c, `history-records:${accountId}`);
  const taken = await c.query(
    'SELECT 1 FROM history_records WHERE account_id = $1 AND author = $2 AND record_id = $3',
    [accountId, author, recordId],
  );
  if (taken.rows.length > 0) return 'taken';
  const counted = await c.query<Row>('SELECT count(*) AS n FROM history_records WHERE account_id = $1', [accountId]);
  if (num(counted.rows[0]?.['n']) >= max) return 'full';
  await c.query(
    'INSERT INTO history_records (account_id, author, record_id, blob, created_at) VALUES ($1, $2, $3, $4, $5)',
    [accountId, author, recordId, buf(blob), now],
  );
  return 'stored';
}

export async function historyRecords(
  db: pg.Pool,
  accountId: string,
  after: number,
  limit: number,
): Promise<HistoryRecordRow[]> {
  const r = await db.query<Row>(
    'SELECT seq, author, record_id, blob FROM history_records WHERE account_id = $1 AND seq > $2 ORDER BY seq LIMIT $3',
    [accountId, after, limit],
  );
  return r.rows.map((row) => ({
    seq: num(row['seq']),
    author: String(row['author']),
    recordId: String(row['record_id']),
    blob: bytes(row['blob']),
  }));
}
