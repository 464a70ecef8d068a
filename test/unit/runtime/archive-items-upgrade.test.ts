/**
 * Issue #11: the archive's messages one store row each. A Dexie database written by the previous
 * build (Dexie version 1, archive record version 1 holding its messages in two arrays, past the old
 * 5,000 cap) is opened by this build: the record is upgraded in one step, every message kept in
 * order as an item, and the upgrade happens once however many callers read at the same time.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { AgentArchive } from '../../../shared/runtime/agent-archive.js';
import { type AgentArchiveRecordV1 } from '../../../shared/runtime/agent-archive-record.js';
import { RUNTIME_RECORD_VERSIONS, type ChatMessage, type RuntimeShapes } from '../../../shared/runtime/index.js';
import { DEXIE_VERSIONS, openDexieStore } from '../../../shared/storage/dexie/index.js';
import { asConversationId, idBytesFromHex } from '../../../shared/wire/index.js';

const ARCHIVED = 6_000;
const CONVERSATIONS = ['a1'.repeat(16), 'b2'.repeat(16)];

function message(n: number): ChatMessage {
  return {
    id: `${'c3'.repeat(16)}:${n}`,
    conversationId: CONVERSATIONS[Math.abs(n) % 2] ?? '',
    from: 'visitor',
    senderDeviceId: 'c3'.repeat(16),
    sentAt: n,
    receivedAt: n,
    body: { kind: 'text', text: `message ${n}` },
  };
}

function oldRecord(): AgentArchiveRecordV1 {
  return {
    version: 1,
    keyring: undefined,
    grantCursor: 3,
    recordCursor: 7,
    outgoingGrants: [],
    outgoingRecords: [],
    unsealed: [{ message: message(-1) }, { message: message(-2) }],
    archived: Array.from({ length: ARCHIVED }, (_, n) => ({ message: message(n), author: 'd4'.repeat(16) })),
  };
}

describe('#11: archive items upgraded from the one-record layout', () => {
  it('moves a version-1 record of a Dexie version-1 database into one item per message, none lost', async () => {
    const env = { name: 'agent', indexedDB: new IDBFactory(), IDBKeyRange, acceptedVersions: RUNTIME_RECORD_VERSIONS };
    const previous = await openDexieStore<RuntimeShapes>({ ...env, versions: DEXIE_VERSIONS.slice(0, 1) });
    await previous.commit({ archive: oldRecord() });
    await previous.close();

    const store = await openDexieStore<RuntimeShapes>(env);
    const archive = new AgentArchive(store, () => undefined);
    // Two readers at once: the upgrade runs once (no item twice).
    const [archived, again] = await Promise.all([archive.archived(), archive.archived()]);
    expect(again).toBe(archived);
    expect(archived.map((a) => a.message.sentAt)).toEqual(Array.from({ length: ARCHIVED }, (_, n) => n));

    const record = await store.archive();
    expect(record).toEqual({ ...oldRecord(), version: 2, unsealed: undefined, archived: undefined });
    expect(record !== undefined && 'archived' in record).toBe(false);
    const items = await store.archiveItems();
    expect(items).toHaveLength(ARCHIVED + 2);
    expect(items.slice(0, 2).map((i) => (i.value.state === 'unsealed' ? i.value.message.sentAt : 'read'))).toEqual([
      -1, -2,
    ]);
    const first = asConversationId(idBytesFromHex(CONVERSATIONS[0] ?? ''));
    expect(await store.archiveItems({ conversationId: first })).toHaveLength(ARCHIVED / 2 + 1);
    await store.close();

    // A new opening reads the items; nothing is upgraded twice.
    const reopened = await openDexieStore<RuntimeShapes>(env);
    expect(await new AgentArchive(reopened, () => undefined).archived()).toHaveLength(ARCHIVED);
    expect(await reopened.archiveItems()).toHaveLength(ARCHIVED + 2);
    await reopened.close();
  });
});
