/**
 * Device roles and per-device session revocation for the SQLite store (issue #10 items 1-3).
 *
 * The role lives in its own table, created at open whatever the schema version (it only adds), so
 * the schema version of sqlite-schema.ts is left alone. A device enrolled before this table existed
 * has no row: it was enrolled when every session could do everything, so it counts as `owner`.
 * Sessions have no index on the device: revoking scans the sessions table (rare: a removal or a key
 * change).
 */
import type Database from 'better-sqlite3';
import { DEVICE_ROLES, type DeviceRole } from './store.js';

const DDL = `CREATE TABLE IF NOT EXISTS device_roles (
  account_id TEXT NOT NULL,
  device_id  TEXT NOT NULL,
  role       TEXT NOT NULL,
  PRIMARY KEY (account_id, device_id)
) STRICT;`;

export class SqliteDeviceRoles {
  readonly #set: Database.Statement;
  readonly #get: Database.Statement;
  readonly #delete: Database.Statement;
  readonly #revoke: Database.Statement;
  readonly #end: Database.Statement;

  constructor(db: Database.Database) {
    db.exec(DDL);
    this.#set = db.prepare(
      'INSERT INTO device_roles (account_id, device_id, role) VALUES (?, ?, ?) ON CONFLICT (account_id, device_id) DO UPDATE SET role = excluded.role',
    );
    this.#get = db.prepare(
      'SELECT coalesce(r.role, ?) AS role FROM devices d LEFT JOIN device_roles r ON r.account_id = d.account_id AND r.device_id = d.device_id WHERE d.account_id = ? AND d.device_id = ?',
    );
    this.#delete = db.prepare('DELETE FROM device_roles WHERE account_id = ? AND device_id = ?');
    this.#revoke = db.prepare('DELETE FROM sessions WHERE account_id = ? AND device_id = ?');
    this.#end = db.prepare('DELETE FROM sessions WHERE token_hash = ?');
  }

  /** One session, by its token hash. */
  endSession(tokenHash: Uint8Array): void {
    this.#end.run(tokenHash);
  }

  /** Inside the caller's transaction. */
  set(accountId: string, deviceId: string, role: DeviceRole): void {
    this.#set.run(accountId, deviceId, role);
  }

  /** The role of an enrolled device (`owner` when it predates roles); undefined when not enrolled. */
  get(accountId: string, deviceId: string): DeviceRole | undefined {
    const row = this.#get.get('owner', accountId, deviceId) as { role: unknown } | undefined;
    return DEVICE_ROLES.find((r) => r === row?.role);
  }

  /** Inside the caller's transaction: the role row and every session of the device. */
  forget(accountId: string, deviceId: string): void {
    this.#delete.run(accountId, deviceId);
    this.revokeSessions(accountId, deviceId);
  }

  revokeSessions(accountId: string, deviceId: string): void {
    this.#revoke.run(accountId, deviceId);
  }
}
