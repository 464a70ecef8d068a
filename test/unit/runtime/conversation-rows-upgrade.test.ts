/**
 * Issue #11: a conversation's shown messages one store row each. A database written by the previous
 * build (Dexie version 2, tiny IndexedDB version 3: no `messages` store; conversation record
 * version 1 holding every message) is opened by this build: the record is upgraded in one step on its
 * first read, every message kept in order (with its status) as a row, the summary fields computed
 * from them. An upgrade that cannot be saved leaves the old record as it was; a row that holds no
 * message is a typed error, never skipped.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { ShownMessages, readConversation } from '../../../shared/runtime/conversation-messages.js';
import { type ConversationRecordV1 } from '../../../shared/runtime/conversation-record.js';
import {
  type ChatMessage,
  RUNTIME_RECORD_VERSIONS,
  type RuntimeShapes,
  type RuntimeStore,
  memoryStore,
} from '../../../shared/runtime/index.js';
import {
  IDB_UPGRADES,
  MemoryDatabase,
  StorageCorruptError,
  StorageWriteError,
  WRITE_FAILURES,
  openIndexedDbStore,
} from '../../../shared/storage/index.js';
import { DEXIE_VERSIONS, openDexieStore } from '../../../shared/storage/dexie/index.js';
import { asConversationId, idBytesFromHex } from '../../../shared/wire/index.js';
import { relaylessWorld } from '../../support/relayless-world.js';

const SHOWN = 2_000;
const CONVERSATION = 'a1'.repeat(16);
const conversationId = asConversationId(idBytesFromHex(CONVERSATION));

function message(n: number): ChatMessage {
  const own = n % 3 === 0;
  return {
    id: `${(own ? 'c3' : 'd4').repeat(16)}:${n + 1}`,
    conversationId: CONVERSATION,
    from: own ? 'self' : 'visitor',
    senderDeviceId: (own ? 'c3' : 'd4').repeat(16),
    sentAt: 1_000 + n,
    receivedAt: 2_000 + n,
    body: n === SHOWN - 1 ? { kind: 'text', text: 'x'.repeat(200) } : { kind: 'text', text: `message ${n}` },
    ...(own ? { status: n < SHOWN / 2 ? 'read' : 'delivered' } : {}),
  };
}

async function oldRecord(messages: readonly ChatMessage[]): Promise<ConversationRecordV1> {
  const world = await relaylessWorld('conversation-rows-upgrade', 1);
  return {
    version: 1,
    protocol: world.visitor.state,
    capability: Uint8Array.of(1, 2, 3),
    messages,
    attachments: [],
    unread: 4,
    lastActivity: 5_000,
  };
}

/** A fresh fake-indexeddb database as this build opens it. */
function freshEnv(name: string) {
  return { name, indexedDB: new IDBFactory(), IDBKeyRange, acceptedVersions: RUNTIME_RECORD_VERSIONS };
}

/** Each adapter's previous layout (no `messages` store), and this build's opening of the same database. */
const previousBuilds: readonly { name: string; open: () => Promise<[RuntimeStore, () => Promise<RuntimeStore>]> }[] = [
  {
    name: 'Dexie version 2',
    open: async () => {
      const env = freshEnv('agent');
      const previous = await openDexieStore<RuntimeShapes>({ ...env, versions: DEXIE_VERSIONS.slice(0, 2) });
      return [previous, () => openDexieStore<RuntimeShapes>(env)];
    },
  },
  {
    name: 'tiny IndexedDB version 3',
    open: async () => {
      const env = freshEnv('widget');
      const previous = await openIndexedDbStore<RuntimeShapes>({ ...env, upgrades: IDB_UPGRADES.slice(0, 3) });
      return [previous, () => openIndexedDbStore<RuntimeShapes>(env)];
    },
  },
];

describe('#11: conversation messages upgraded from the one-record layout', () => {
  for (const build of previousBuilds) {
    it(`moves a version-1 record of a ${build.name} database into one row per message, none lost`, async () => {
      const messages = Array.from({ length: SHOWN }, (_, n) => message(n));
      const old = await oldRecord(messages);
      const [previous, reopen] = await build.open();
      await previous.commit({ conversations: [{ conversationId, state: old }] });
      await previous.close();

      const store = await reopen();
      const record = await readConversation(store, conversationId);
      const { messages: kept, ...rest } = old;
      expect(kept).toHaveLength(SHOWN);
      expect(record).toEqual({
        ...rest,
        version: 2,
        preview: 'x'.repeat(140),
        lastVisitorAt: 2_000 + SHOWN - 1 - ((SHOWN - 1) % 3 === 0 ? 1 : 0),
      });
      const saved = await store.conversation(conversationId);
      expect(saved?.version).toBe(2);
      expect(saved !== undefined && 'messages' in saved).toBe(false);
      const shown = await ShownMessages.load(store, conversationId);
      expect(shown.list).toEqual(messages);
      // Read again: nothing more to upgrade, no row twice.
      expect(await readConversation(store, conversationId)).toEqual(record);
      expect(await store.messages(conversationId)).toHaveLength(SHOWN);
      await store.close();
    }, 60_000);
  }

  it('an upgrade that cannot be saved leaves the version-1 record as it was, with no row', async () => {
    const store = memoryStore();
    const old = await oldRecord([message(0), message(1)]);
    await store.commit({ conversations: [{ conversationId, state: old }] });
    // The disk refuses the upgrade's step (a full quota, say): the step is all or nothing.
    const full: RuntimeStore = {
      ...store,
      commit: () => Promise.reject(new StorageWriteError('the step was not saved (quota)', WRITE_FAILURES.quota)),
    };
    await expect(readConversation(full, conversationId)).rejects.toBeInstanceOf(StorageWriteError);
    expect(await store.conversation(conversationId)).toEqual(old);
    expect(await store.messages(conversationId)).toEqual([]);
    // The next read upgrades it.
    expect((await readConversation(store, conversationId))?.version).toBe(2);
    expect((await ShownMessages.load(store, conversationId)).list).toEqual(old.messages);
  });

  it('an attachment row saved before handles named their conversation gets the conversation it is filed under', async () => {
    const store = memoryStore();
    const handle = {
      conversationId: CONVERSATION,
      messageId: `${'d4'.repeat(16)}:9`,
      name: 'a.png',
      mime: 'image/png',
      size: 9,
    };
    const older = { messageId: handle.messageId, name: handle.name, mime: handle.mime, size: handle.size };
    const picture: ChatMessage = {
      ...message(8),
      id: handle.messageId,
      body: { kind: 'attachment', attachment: handle },
    };
    const saved = { ...picture, body: { kind: 'attachment', attachment: older } };
    const db = new MemoryDatabase();
    db.lists.messages.set(1, {
      seq: 1,
      schema: 1,
      kind: 'message',
      conversation: CONVERSATION,
      value: { version: 1, message: saved },
    });
    db.nextSeq.messages = 2;
    expect((await ShownMessages.load(memoryStore(db), conversationId)).list).toEqual([picture]);
    // Rows this build writes keep it as they are.
    await store.commit({ messages: [{ conversationId, value: { version: 1, message: picture } }] });
    expect((await ShownMessages.load(store, conversationId)).list).toEqual([picture]);
  });

  it('a message row that holds no message is StorageCorruptError naming it, not skipped', async () => {
    const store = memoryStore();
    const result = await store.commit({
      messages: [{ conversationId, value: { version: 1, message: message(0) } }],
    });
    const db = new MemoryDatabase();
    const damaged = memoryStore(db);
    db.lists.messages.set(7, { seq: 7, schema: 1, kind: 'message', conversation: CONVERSATION, value: { version: 1 } });
    db.nextSeq.messages = 8;
    expect(result.messages).toHaveLength(1);
    expect((await ShownMessages.load(store, conversationId)).list).toEqual([message(0)]);
    const error = await ShownMessages.load(damaged, conversationId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageCorruptError);
    expect(error instanceof StorageCorruptError ? error.key : '').toBe('message/7');
  });
});
