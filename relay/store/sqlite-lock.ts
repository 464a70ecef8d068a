/**
 * One relay per SEALDESK_DATA_DIR (issue #10, "Also"): the relay's caches assume it is the only
 * writer of relay.sqlite (docs/OPERATIONS.md, "Start-up checks"). The lock is an exclusive SQLite
 * transaction held open on `relay.lock`, i.e. a POSIX advisory lock the kernel drops when the
 * process ends however it ends (a SIGKILL included), so a stale lock never blocks a restart.
 * `relay.pid` says which process holds it, for the message of the one refused.
 */
import Database from 'better-sqlite3';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SetupError } from '../errors.js';

export const LOCK_FILE = 'relay.lock';
export const PID_FILE = 'relay.pid';

export interface DataDirLock {
  release(): void;
}

function holder(dir: string): string {
  try {
    const pid = readFileSync(join(dir, PID_FILE), 'utf8').trim();
    return /^\d+$/.test(pid) ? ` (pid ${pid})` : '';
  } catch {
    return '';
  }
}

/** Takes the data directory's lock, or throws a SetupError naming the relay that holds it. */
export function lockDataDir(dir: string, setting: string): DataDirLock {
  const path = join(dir, LOCK_FILE);
  let db: Database.Database;
  try {
    db = new Database(path, { timeout: 0 });
  } catch (error) {
    throw new SetupError(`${setting}: cannot open ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    // Takes SQLite's EXCLUSIVE lock on the file at once; held until the transaction ends.
    db.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    db.close();
    const code = (error as { code?: unknown }).code;
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED')
      throw new SetupError(
        `another relay${holder(dir)} is using ${setting}; stop it first (two relays on one database would lose messages)`,
      );
    throw new SetupError(`${setting}: cannot lock ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  writeFileSync(join(dir, PID_FILE), `${String(process.pid)}\n`, { mode: 0o600 });
  return {
    release: () => {
      if (db.open) db.close();
    },
  };
}
