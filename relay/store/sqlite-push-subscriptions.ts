/**
 * Web Push subscriptions for the SQLite store (issue #15 item 4; docs/PROTOCOL.md §16.9): one row per
 * device. Like device_roles, the table is created at open whatever the schema version (it only
 * adds), so the schema version of sqlite-schema.ts is left alone.
 */
import type Database from 'better-sqlite3';
import type { PushSubscriptionRecord } from './store.js';

const DDL = `CREATE TABLE IF NOT EXISTS push_subscriptions (
  account_id TEXT NOT NULL,
  device_id  TEXT NOT NULL,
  endpoint   TEXT NOT NULL,
  p256dh     BLOB NOT NULL,
  auth       BLOB NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (account_id, device_id)
) STRICT;`;

type Row = Readonly<Record<string, unknown>>;

export class SqlitePushSubscriptions {
  readonly #put: Database.Statement;
  readonly #get: Database.Statement;
  readonly #delete: Database.Statement;
  readonly #deleteIf: Database.Statement;

  constructor(db: Database.Database) {
    db.exec(DDL);
    this.#put = db.prepare(
      'INSERT INTO push_subscriptions (account_id, device_id, endpoint, p256dh, auth, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (account_id, device_id) DO UPDATE SET endpoint = excluded.endpoint, p256dh = excluded.p256dh, auth = excluded.auth, updated_at = excluded.updated_at',
    );
    this.#get = db.prepare(
      'SELECT endpoint, p256dh, auth FROM push_subscriptions WHERE account_id = ? AND device_id = ?',
    );
    this.#delete = db.prepare('DELETE FROM push_subscriptions WHERE account_id = ? AND device_id = ?');
    this.#deleteIf = db.prepare(
      'DELETE FROM push_subscriptions WHERE account_id = ? AND device_id = ? AND endpoint = ?',
    );
  }

  put(accountId: string, deviceId: string, s: PushSubscriptionRecord, now: number): void {
    this.#put.run(accountId, deviceId, s.endpoint, s.p256dh, s.auth, now);
  }

  get(accountId: string, deviceId: string): PushSubscriptionRecord | undefined {
    const row = this.#get.get(accountId, deviceId) as Row | undefined;
    if (row === undefined) return undefined;
    return {
      endpoint: String(row['endpoint']),
      p256dh: new Uint8Array(row['p256dh'] as Buffer),
      auth: new Uint8Array(row['auth'] as Buffer),
    };
  }

  /** Also inside deleteDevice's transaction. */
  delete(accountId: string, deviceId: string, endpoint?: string): boolean {
    const r =
      endpoint === undefined
        ? this.#delete.run(accountId, deviceId)
        : this.#deleteIf.run(accountId, deviceId, endpoint);
    return r.changes > 0;
  }
}
