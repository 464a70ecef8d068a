// Database versions of both IndexedDB adapters: an upgrade rewrites existing records; a database
// written by a newer build is refused with a typed error and left untouched; another tab's upgrade
// closes this store instead of waiting on it.
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import {
  IDB_UPGRADES,
  StorageSchemaError,
  StorageUnavailableError,
  deleteIndexedDbStore,
  openExistingIndexedDbStore,
  openIndexedDbStore,
} from '../../../shared/storage/index.js';
import { DEXIE_VERSIONS, openDexieStore } from '../../../shared/storage/dexie/index.js';
import { asConversationId } from '../../../shared/wire/index.js';

const C1 = asConversationId(new Uint8Array(16).fill(1));
const env = (): { indexedDB: IDBFactory; IDBKeyRange: typeof IDBKeyRange } => ({
  indexedDB: new IDBFactory(),
  IDBKeyRange,
});

function addMigrated(value: unknown): unknown {
  return { ...(value as Record<string, unknown>), value: { ...(value as { value: object }).value, migrated: true } };
}

describe('tiny IndexedDB adapter versions', () => {
  it('runs a later upgrade over the records of an existing database', async () => {
    const e = env();
    const v1 = await openIndexedDbStore({ name: 'db', ...e });
    await v1.commit({ conversations: [{ conversationId: C1, state: { version: 1 } }] });
    await v1.close();
    const v2 = await openIndexedDbStore({
      name: 'db',
      ...e,
      upgrades: [
        ...IDB_UPGRADES,
        (_db, tx) => {
          const records = tx.objectStore('records');
          const cursor = records.openCursor();
          cursor.onsuccess = () => {
            const c = cursor.result;
            if (c === null) return;
            c.update(addMigrated(c.value));
            c.continue();
          };
        },
      ],
    });
    expect(await v2.conversation(C1)).toEqual({ version: 1, migrated: true });
    await v2.close();
  });

  it('refuses a database of a newer version with StorageSchemaError', async () => {
    const e = env();
    await new Promise<void>((resolve) => {
      const r = e.indexedDB.open('newer', IDB_UPGRADES.length + 3);
      r.onsuccess = () => {
        r.result.close();
        resolve();
      };
    });
    await expect(openIndexedDbStore({ name: 'newer', ...e })).rejects.toBeInstanceOf(StorageSchemaError);
  });

  // Issue #12: a rolled-back widget build from before the wrapped X25519 keys (it knew version 1 only).
  it('makes a build from before the wrapped keys refuse this build’s database, typed, and leaves it intact', async () => {
    const e = env();
    const now = await openIndexedDbStore({ name: 'db', ...e });
    await now.commit({ conversations: [{ conversationId: C1, state: { version: 1 } }] });
    await now.close();
    const beforeWrapping = IDB_UPGRADES.slice(0, 1);
    await expect(openIndexedDbStore({ name: 'db', ...e, upgrades: beforeWrapping })).rejects.toBeInstanceOf(
      StorageSchemaError,
    );
    await expect(openExistingIndexedDbStore({ name: 'db', ...e, upgrades: beforeWrapping })).rejects.toThrow(
      /written by a newer build/,
    );
    const again = await openIndexedDbStore({ name: 'db', ...e });
    expect(await again.conversation(C1)).toEqual({ version: 1 });
    await again.close();
  });

  it('reads a database written at version 1, before the wrapped keys', async () => {
    const e = env();
    const old = await openIndexedDbStore({ name: 'db', ...e, upgrades: IDB_UPGRADES.slice(0, 1) });
    await old.commit({ conversations: [{ conversationId: C1, state: { version: 1 } }] });
    await old.close();
    const now = await openIndexedDbStore({ name: 'db', ...e });
    expect(await now.conversation(C1)).toEqual({ version: 1 });
    await now.close();
  });

  it('deletes a database for a fresh start, closing an open store first', async () => {
    const e = env();
    const open = await openIndexedDbStore({ name: 'db', ...e });
    await open.commit({ conversations: [{ conversationId: C1, state: { version: 1 } }] });
    await deleteIndexedDbStore({ name: 'db', ...e });
    await expect(open.conversation(C1)).rejects.toBeInstanceOf(StorageUnavailableError);
    expect(await openExistingIndexedDbStore({ name: 'db', ...e })).toBeUndefined();
  });

  it("closes for another tab's upgrade, and then refuses calls", async () => {
    const e = env();
    const old = await openIndexedDbStore({ name: 'db', ...e });
    const newer = await openIndexedDbStore({ name: 'db', ...e, upgrades: [...IDB_UPGRADES, () => undefined] });
    await expect(old.conversation(C1)).rejects.toBeInstanceOf(StorageUnavailableError);
    expect(await newer.conversation(C1)).toBeUndefined();
    await newer.close();
  });
});

describe('Dexie adapter versions', () => {
  it('runs a later version upgrade over the records of an existing database', async () => {
    const e = env();
    const v1 = await openDexieStore({ name: 'db', ...e });
    await v1.commit({ conversations: [{ conversationId: C1, state: { version: 1 } }] });
    await v1.close();
    const first = DEXIE_VERSIONS[0];
    if (first === undefined) throw new Error('no Dexie version');
    const v2 = await openDexieStore({
      name: 'db',
      ...e,
      versions: [
        ...DEXIE_VERSIONS,
        {
          version: DEXIE_VERSIONS.length + 1,
          stores: first.stores,
          upgrade: async (tx) => {
            await tx
              .table('records')
              .toCollection()
              .modify((row: { value: object }) => {
                row.value = { ...row.value, migrated: true };
              });
          },
        },
      ],
    });
    expect(await v2.conversation(C1)).toEqual({ version: 1, migrated: true });
    await v2.close();
  });

  it('refuses a database written by a newer build with StorageSchemaError', async () => {
    const e = env();
    const first = DEXIE_VERSIONS[0];
    if (first === undefined) throw new Error('no Dexie version');
    const newer = await openDexieStore({
      name: 'db',
      ...e,
      versions: [...DEXIE_VERSIONS, { version: DEXIE_VERSIONS.length + 1, stores: first.stores }],
    });
    await newer.commit({ conversations: [{ conversationId: C1, state: { version: 1 } }] });
    await newer.close();
    await expect(openDexieStore({ name: 'db', ...e })).rejects.toBeInstanceOf(StorageSchemaError);
  });
});
