/** WalSync coalesces concurrent sync requests without ever answering one before its writes are synced. */
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WalSync } from '../../relay/store/sqlite-wal-sync.js';

describe('WalSync', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealdesk-walsync-'));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs one sync for a call alone, and one more for every call made while a sync runs', async () => {
    const path = join(dir, 'log');
    writeFileSync(path, 'x');
    const wal = new WalSync(path);
    await wal.sync();
    expect(wal.syncs).toBe(1);
    const first = wal.sync();
    // Written after the first sync started: only a later sync covers these.
    appendFileSync(path, 'y');
    const later = [wal.sync(), wal.sync(), wal.sync()];
    await Promise.all([first, ...later]);
    expect(wal.syncs).toBe(3);
    // Each of the later calls resolved only after a sync that started after they were made.
    await wal.sync();
    expect(wal.syncs).toBe(4);
    wal.close();
  });
});
