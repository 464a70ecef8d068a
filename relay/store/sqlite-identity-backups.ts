/**
 * The AIK backups of the SQLite store (docs/PROTOCOL.md §11.2, §16.8). Like device roles, the table
 * is created at open whatever the schema version (it only adds), so the schema version of
 * sqlite-schema.ts is left alone. One row per account; a replacement must come from the same
 * account key (the upsert's WHERE), so a second key cannot take the slot over.
 */
import type Database from 'better-sqlite3';
import type { IdentityBackupRecord } from './store.js';

const DDL = `CREATE TABLE IF NOT EXISTS identity_backups (
  account_id  TEXT PRIMARY KEY,
  backup      BLOB NOT NULL,
  account_key BLOB NOT NULL,
  signature   BLOB NOT NULL,
  updated_at  INTEGER NOT NULL
) STRICT;`;

export class SqliteIdentityBackups {
  readonly #put: Database.Statement;
  readonly #get: Database.Statement;

  constructor(db: Database.Database) {
    db.exec(DDL);
    this.#put = db.prepare(
      'INSERT INTO identity_backups (account_id, backup, account_key, signature, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (account_id) DO UPDATE SET backup = excluded.backup, signature = excluded.signature, updated_at = excluded.updated_at WHERE identity_backups.account_key = excluded.account_key',
    );
    this.#get = db.prepare('SELECT backup, account_key, signature FROM identity_backups WHERE account_id = ?');
  }

  /** True when stored (new, or the same account key's replacement). */
  put(accountId: string, record: IdentityBackupRecord, now: number): boolean {
    return this.#put.run(accountId, record.backup, record.accountKey, record.signature, now).changes === 1;
  }

  get(accountId: string): IdentityBackupRecord | undefined {
    const row = this.#get.get(accountId) as
      { readonly backup: Buffer; readonly account_key: Buffer; readonly signature: Buffer } | undefined;
    if (row === undefined) return undefined;
    return {
      backup: new Uint8Array(row.backup),
      accountKey: new Uint8Array(row.account_key),
      signature: new Uint8Array(row.signature),
    };
  }
}
