/**
 * Issue #10 items 11 and 14: a damaged relay.sqlite is refused at start (PRAGMA quick_check), and
 * open errors ("file is not a database") name the file and the variable that chose it. Real relay
 * processes on a real file, damaged with random bytes.
 */
import Database from 'better-sqlite3';
import { openSync, closeSync, readSync, statSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeDataDir } from './support/relay-process.js';
import { runRelay } from './support/relay-cli.js';
import { fillInstall } from './support/filled-relay.js';

const PAGE = 4096;

function quickCheck(path: string): string {
  const db = new Database(path, { readonly: true });
  try {
    const rows = db.pragma('quick_check') as { quick_check: string }[];
    return rows.map((r) => r.quick_check).join('; ');
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    db.close();
  }
}

/** Overwrites whole pages from the middle of the file with random bytes until quick_check sees it. */
function damageMiddle(path: string): void {
  const pages = Math.floor(statSync(path).size / PAGE);
  expect(pages).toBeGreaterThan(8);
  const fd = openSync(path, 'r+');
  try {
    for (let page = Math.floor(pages / 2); page < pages; page += 1) {
      writeSync(fd, randomBytes(PAGE), 0, PAGE, page * PAGE);
      if (quickCheck(path) !== 'ok') return;
    }
  } finally {
    closeSync(fd);
  }
  throw new Error('no page in the second half of the file is checked by quick_check');
}

describe('#10.11 / #10.14: damaged databases at start', () => {
  const data = makeDataDir();
  afterAll(() => {
    data.remove();
  });

  it('#10.11: 4 KiB of random bytes in the middle of relay.sqlite: the relay refuses to start, naming the file and what to do', async () => {
    const dir = join(data.dir, 'middle');
    await fillInstall(dir, 1000);
    const db = join(dir, 'relay.sqlite');
    damageMiddle(db);
    const r = runRelay({ SEALDESK_DATA_DIR: dir }, 15_000);
    expect(r.status, `the relay started on a damaged database:\n${r.stdout}${r.stderr}`).toBe(1);
    const line = r.stderr.trim();
    expect(line.split('\n')).toHaveLength(1);
    expect(line).toContain(`${db} (SEALDESK_DATA_DIR=${dir}) is damaged`);
    expect(line).toContain('quick_check');
    expect(line).toMatch(/restore relay\.sqlite from a backup/);
    expect(r.stdout).not.toContain('listening on');
  });

  it('#10.14: "file is not a database" names the file and SEALDESK_DATA_DIR', async () => {
    const dir = join(data.dir, 'header');
    await fillInstall(dir, 10);
    const db = join(dir, 'relay.sqlite');
    const fd = openSync(db, 'r+');
    const header = Buffer.alloc(16);
    readSync(fd, header, 0, 16, 0);
    expect(header.toString('latin1')).toBe('SQLite format 3\0');
    writeSync(fd, randomBytes(PAGE), 0, PAGE, 0);
    closeSync(fd);
    const r = runRelay({ SEALDESK_DATA_DIR: dir }, 15_000);
    expect(r.status).toBe(1);
    const line = r.stderr.trim();
    expect(line.split('\n')).toHaveLength(1);
    expect(line).toContain(`cannot open ${db} (SEALDESK_DATA_DIR=${dir}): SQLITE_NOTADB`);
    expect(line).toMatch(/restore relay\.sqlite from a backup/);
  });
});
