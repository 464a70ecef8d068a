/** The shared Store contract against the in-memory and the SQLite store, plus SQLite durability. */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../relay/store/memory-store.js';
import { SqliteStore } from '../../relay/store/sqlite-store.js';
import { deviceQueue } from '../../relay/store/store.js';
import { storeContract } from './store-contract.js';

function tempDir(): { dir: string; cleanup: () => Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), 'sealdesk-store-'));
  return { dir, cleanup: () => { rmSync(dir, { recursive: true, force: true }); return Promise.resolve(); } };
}

storeContract('MemoryStore', () => Promise.resolve({ store: new MemoryStore(), cleanup: () => Promise.resolve() }));
storeContract('SqliteStore', () => {
  const { dir, cleanup } = tempDir();
  return Promise.resolve({ store: new SqliteStore(join(dir, 'relay.sqlite')), cleanup });
});

describe('SqliteStore on disk', () => {
  it('keeps everything across close and reopen, in WAL mode, and continues cursors', async () => {
    const { dir, cleanup } = tempDir();
    const path = join(dir, 'relay.sqlite');
    const A = 'a'.repeat(32);
    const D = 'd'.repeat(32);
    const first = new SqliteStore(path);
    await first.createAccount({ accountId: A, username: 'x', opaqueRecord: 'r' }, 1);
    const [seq] = await first.commit([{ queue: deviceQueue(A, D), conversationId: 'c'.repeat(32), envelope: new Uint8Array([1, 2]) }], [], 1);
    await first.close();
    const second = new SqliteStore(path);
    expect(await second.findAccountByUsername('x')).toEqual({ accountId: A, username: 'x', opaqueRecord: 'r' });
    expect(await second.fetchQueue(deviceQueue(A, D), 0, 10)).toEqual([{ seq, envelope: new Uint8Array([1, 2]) }]);
    const [next] = await second.commit([{ queue: deviceQueue(A, D), conversationId: 'c'.repeat(32), envelope: new Uint8Array([3]) }], [], 2);
    expect((next ?? 0) > (seq ?? 0)).toBe(true);
    expect(statSync(`${path}-wal`).isFile()).toBe(true);
    await second.close();
    await cleanup();
  });
});
