/**
 * Opening relay.sqlite at start (issue #10 items 11, 12 and 14; docs/OPERATIONS.md, "Start-up
 * checks" and "Restoring"):
 * - a missing or 0-byte database in a data directory that shows an earlier install (the marker
 *   file written at the first start, opaque-server-setup, a WAL, SHM or journal file, the cursor
 *   floor) is refused: the relay never creates an empty database over one that was lost;
 * - the database must pass `PRAGMA quick_check` (SqliteStore's constructor);
 * - every failure names the file and the variable that chose it, and says what to do.
 */
import { chmodSync, existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SetupError } from '../errors.js';
import { SqliteStore, type SqliteStoreOptions, StoreIntegrityError } from './sqlite-store.js';

export const DB_FILE = 'relay.sqlite';
/** Written once the first database has been created: the data directory holds an install. */
export const INSTALL_MARKER = 'relay.installed';
/** OPAQUE server setup (auth/opaque-server.ts): created at the first start. */
const SERVER_SETUP_FILE = 'opaque-server-setup';

/** Files of the data directory that only an earlier start could have left. */
export function inspectInstall(dir: string): string[] {
  // Not relay.lock or relay.pid: a start that failed before creating the database (a port in
  // use) leaves them, and they hold no data.
  const names = [
    INSTALL_MARKER,
    SERVER_SETUP_FILE,
    `${DB_FILE}-wal`,
    `${DB_FILE}-shm`,
    `${DB_FILE}-journal`,
    `${DB_FILE}.cursor-floor`,
  ];
  return names.filter((name) => existsSync(join(dir, name)));
}

function fileSize(path: string): number | undefined {
  try {
    return statSync(path).size;
  } catch {
    return undefined;
  }
}

const RESTORE =
  'restore relay.sqlite from a backup (docs/OPERATIONS.md, "Restoring"); the relay does not start on it as it is';

/** Opens (or, on a fresh data directory, creates) relay.sqlite; `signs` from inspectInstall. */
export function openSqliteData(
  dir: string,
  setting: string,
  signs: readonly string[],
  options: SqliteStoreOptions,
): SqliteStore {
  const path = join(dir, DB_FILE);
  const size = fileSize(path);
  if ((size === undefined || size === 0) && signs.length > 0) {
    const state = size === undefined ? 'is missing' : 'is empty (0 bytes)';
    throw new SetupError(
      `${path} (${setting}) ${state}, but the directory shows an earlier install (${signs.join(', ')}): ` +
        `${RESTORE}. To start a new, empty relay instead, use a new SEALDESK_DATA_DIR.`,
    );
  }
  let store: SqliteStore;
  try {
    store = new SqliteStore(path, options);
  } catch (error) {
    if (error instanceof StoreIntegrityError)
      throw new SetupError(`${path} (${setting}) is damaged (PRAGMA quick_check: ${error.message}): ${RESTORE}`);
    const code = (error as { code?: unknown }).code;
    const text = error instanceof Error ? error.message : String(error);
    const damaged = code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT';
    throw new SetupError(
      `cannot open ${path} (${setting}): ${typeof code === 'string' ? `${code}: ` : ''}${text}` +
        (damaged ? `: ${RESTORE}` : ''),
    );
  }
  // The database holds OPAQUE records and ciphertext: readable by the relay's user only.
  chmodSync(path, 0o600);
  if (!signs.includes(INSTALL_MARKER))
    writeFileSync(join(dir, INSTALL_MARKER), `${new Date().toISOString()}\n`, { mode: 0o600 });
  return store;
}

/**
 * A database with accounts needs the OPAQUE setup they registered with: a new one would lock every
 * account out for good (a sibling of item 12), so a missing setup is refused, not re-created.
 */
export function requireServerSetup(dir: string, setting: string, store: SqliteStore): void {
  const path = join(dir, SERVER_SETUP_FILE);
  if (existsSync(path)) return;
  const accounts = store.countAccounts();
  if (accounts === 0) return;
  throw new SetupError(
    `${path} (${setting}) is missing, but ${DB_FILE} holds ${String(accounts)} account${accounts === 1 ? '' : 's'}: ` +
      `restore ${SERVER_SETUP_FILE} from its backup (a new one would lock every account out; docs/OPERATIONS.md, "Restoring")`,
  );
}
