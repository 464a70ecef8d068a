/**
 * PROTOCOL §7.1, §15: conversation state version 2 added the list versions a device linked later
 * needs (`listedSince`, `lastSentListVersion`, per-track `firstSeq` and `lastListVersion`). A stored
 * state of version 1 is refused when read, with a typed error naming the record, and left where it
 * is — never read as version 2 (its tracks would lack the fields the order checks read).
 */
import { describe, expect, it } from 'vitest';
import { CONVERSATION_STATE_VERSION } from '../../../shared/protocol/index.js';
import { readConversation } from '../../../shared/runtime/conversation-messages.js';
import { newRecord } from '../../../shared/runtime/conversation-record.js';
import { memoryStore, RUNTIME_RECORD_VERSIONS } from '../../../shared/runtime/index.js';
import { MemoryDatabase, openMemoryStore, StorageSchemaError } from '../../../shared/storage/index.js';
import { relaylessWorld } from '../../support/relayless-world.js';

describe('a stored conversation state of another version (PROTOCOL §7.1)', () => {
  it('#15: a version-1 protocol state is refused with StorageSchemaError and kept; this build’s version reads', async () => {
    const world = await relaylessWorld('conversation-state-version', 1);
    const state = world.visitor.state;
    const db = new MemoryDatabase();
    const record = newRecord(state, 5_000, Uint8Array.of(1, 2, 3));
    // What the previous build wrote: the same record, its protocol state of version 1.
    const old = openMemoryStore(db, { acceptedVersions: RUNTIME_RECORD_VERSIONS });
    const written = { ...record, protocol: { ...state, version: 1 } };
    await old.commit({ conversations: [{ conversationId: state.conversationId, state: written }] });
    const store = memoryStore(db);
    const error: unknown = await readConversation(store, state.conversationId).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StorageSchemaError);
    expect(String(error)).toContain('conversation state version 1');
    expect((await old.conversation(state.conversationId))?.version).toBe(record.version);

    await store.commit({ conversations: [{ conversationId: state.conversationId, state: record }] });
    const read = await readConversation(store, state.conversationId);
    expect(read?.protocol.version).toBe(CONVERSATION_STATE_VERSION);
  });
});
