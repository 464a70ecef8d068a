/**
 * A cursor floor outside the WAL (issue #10 item 13; docs/OPERATIONS.md, "Storage"). meta.next_seq
 * lives in the database and rolls back with a lost or truncated WAL; this small file does not. It
 * holds `<floor> <state>`: every cursor handed out is below `floor`. While the relay runs the state
 * is `open` and the floor is reserved CURSOR_FLOOR_BLOCK ahead of use (written and fsynced, with
 * the directory, before a cursor at or past the old floor is committed); a clean close writes the
 * exact next cursor and `clean`.
 *
 * At open, the next cursor is max(the database's, the file's floor). When the file's floor is
 * higher than the database's next cursor, cursors move past it and the caller logs why:
 * - `clean-stop-database-behind`: after a clean stop the database lost commits (a restored
 *   backup, a replaced file);
 * - `unclean-stop-wal-missing`: a crash, and the WAL is gone: commits only in it are lost;
 * - `unclean-stop`: a crash with the WAL in place (nothing lost; the unused part of the block is
 *   skipped).
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** Cursors reserved per floor write: one fsynced write per this many stored messages. */
export const CURSOR_FLOOR_BLOCK = 100_000;

export type FloorReason = 'clean-stop-database-behind' | 'unclean-stop-wal-missing' | 'unclean-stop';

export interface FloorJump {
  /** The database's own next cursor. */
  readonly database: number;
  /** The next cursor used: the floor. */
  readonly floor: number;
  readonly reason: FloorReason;
}

export class CursorFloorError extends Error {}

function parse(path: string): { floor: number; clean: boolean } | undefined {
  if (!existsSync(path)) return undefined;
  const text = readFileSync(path, 'utf8').trim();
  const m = /^(\d{1,16}) (open|clean)$/.exec(text);
  if (m?.[1] === undefined || !Number.isSafeInteger(Number(m[1])))
    throw new CursorFloorError(
      `${path} is not a cursor floor ("<number> open|clean"); it must not be edited (docs/OPERATIONS.md, "Restoring")`,
    );
  return { floor: Number(m[1]), clean: m[2] === 'clean' };
}

/** Writes `text` to `path` durably: a temporary file, fsync, rename, fsync of the directory. */
function writeDurably(path: string, text: string): void {
  const temporary = `${path}.tmp`;
  const fd = openSync(temporary, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
  const dir = openSync(dirname(path), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

export class CursorFloor {
  readonly #path: string;
  #floor: number;
  /** The next cursor to hand out: max(the database's, the saved floor). */
  readonly first: number;

  /**
   * `databaseNext`: the next cursor by the database; `walPresent`: whether the WAL file existed
   * before the database was opened. `first` is the next cursor to use; a jump is reported.
   */
  constructor(path: string, databaseNext: number, walPresent: boolean, onJump: (jump: FloorJump) => void) {
    this.#path = path;
    const saved = parse(path);
    let next = databaseNext;
    if (saved !== undefined && saved.floor > databaseNext) {
      next = saved.floor;
      const reason: FloorReason = saved.clean
        ? 'clean-stop-database-behind'
        : walPresent
          ? 'unclean-stop'
          : 'unclean-stop-wal-missing';
      onJump({ database: databaseNext, floor: next, reason });
    }
    this.first = next;
    this.#floor = next;
    this.#reserve(next);
  }

  /** Before committing cursors below `end` (exclusive): raises the floor first if needed. */
  cover(end: number): void {
    if (end > this.#floor) this.#reserve(end);
  }

  /** After a clean close: the exact next cursor. */
  closeClean(next: number): void {
    writeDurably(this.#path, `${String(next)} clean\n`);
  }

  #reserve(from: number): void {
    const floor = from + CURSOR_FLOOR_BLOCK;
    writeDurably(this.#path, `${String(floor)} open\n`);
    this.#floor = floor;
  }
}
