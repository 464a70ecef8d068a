/**
 * The inbox archive tables of the SQLite store (PROTOCOL §9): sealed archive-key grants waiting for
 * their device, and write-once history records per account. Like the device roles, created at open
 * whatever the schema version (they only add), so sqlite-schema.ts's version is left alone. Each
 * table's rowid (AUTOINCREMENT: never reused) is the cursor a reader pages by. Synchronous: the
 * store wraps each call in its transaction and WAL sync.
 */
import type Database from 'better-sqlite3';
import type { ArchiveGrantRow, HistoryPutResult, HistoryRecordRow, LimitedResult } from './store.js';

const DDL = `CREATE TABLE IF NOT EXISTS archive_grants (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id TEXT NOT NULL,
  device_id  TEXT NOT NULL,
  blob       BLOB NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS archive_grants_device ON archive_grants (account_id, device_id, seq);
CREATE TABLE IF NOT EXISTS history_records (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id TEXT NOT NULL,
  author     TEXT NOT NULL,
  record_id  TEXT NOT NULL,
  blob       BLOB NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (account_id, author, record_id)
) STRICT;
CREATE INDEX IF NOT EXISTS history_records_account ON history_records (account_id, seq);`;

type Row = Readonly<Record<string, unknown>>;
const bytes = (value: unknown): Uint8Array => new Uint8Array(value as Buffer);
const num = (value: unknown): number => Number(value);

export class SqliteArchive {
  readonly #db: Database.Database;
  readonly #s;

  constructor(db: Database.Database) {
    db.exec(DDL);
    this.#db = db;
    this.#s = {
      grantCount: db.prepare('SELECT count(*) AS n FROM archive_grants WHERE account_id = ? AND device_id = ?'),
      insertGrant: db.prepare(
        'INSERT INTO archive_grants (account_id, device_id, blob, created_at) VALUES (?, ?, ?, ?)',
      ),
      grants: db.prepare(
        'SELECT seq, blob FROM archive_grants WHERE account_id = ? AND device_id = ? AND seq > ? ORDER BY seq LIMIT ?',
      ),
      forget: db.prepare('DELETE FROM archive_grants WHERE account_id = ? AND device_id = ?'),
      recordCount: db.prepare('SELECT count(*) AS n FROM history_records WHERE account_id = ?'),
      recordTaken: db.prepare('SELECT 1 FROM history_records WHERE account_id = ? AND author = ? AND record_id = ?'),
      insertRecord: db.prepare(
        'INSERT INTO history_records (account_id, author, record_id, blob, created_at) VALUES (?, ?, ?, ?, ?)',
      ),
      records: db.prepare(
        'SELECT seq, author, record_id, blob FROM history_records WHERE account_id = ? AND seq > ? ORDER BY seq LIMIT ?',
      ),
    };
  }

  putGrant(accountId: string, deviceId: string, blob: Uint8Array, max: number, now: number): LimitedResult {
    return this.#db
      .transaction((): LimitedResult => {
        const count = num((this.#s.grantCount.get(accountId, deviceId) as Row)['n']);
        if (count >= max) return { ok: false, count };
        this.#s.insertGrant.run(accountId, deviceId, blob, now);
        return { ok: true, count: count + 1 };
      })
      .immediate();
  }

  grants(accountId: string, deviceId: string, after: number, limit: number): ArchiveGrantRow[] {
    return (this.#s.grants.all(accountId, deviceId, after, limit) as Row[]).map((r) => ({
      seq: num(r['seq']),
      blob: bytes(r['blob']),
    }));
  }

  /** Inside the caller's transaction: the grants waiting for a removed device. */
  forgetDevice(accountId: string, deviceId: string): void {
    this.#s.forget.run(accountId, deviceId);
  }

  putRecord(
    accountId: string,
    author: string,
    recordId: string,
    blob: Uint8Array,
    max: number,
    now: number,
  ): HistoryPutResult {
    return this.#db
      .transaction((): HistoryPutResult => {
        if (this.#s.recordTaken.get(accountId, author, recordId) !== undefined) return 'taken';
        if (num((this.#s.recordCount.get(accountId) as Row)['n']) >= max) return 'full';
        this.#s.insertRecord.run(accountId, author, recordId, blob, now);
        return 'stored';
      })
      .immediate();
  }

  records(accountId: string, after: number, limit: number): HistoryRecordRow[] {
    return (this.#s.records.all(accountId, after, limit) as Row[]).map((r) => ({
      seq: num(r['seq']),
      author: String(r['author']),
      recordId: String(r['record_id']),
      blob: bytes(r['blob']),
    }));
  }
}
