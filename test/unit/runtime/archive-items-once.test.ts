/**
 * PROTOCOL §9.6: a shown message's waiting row is saved in the step that shows it, and the archive
 * is told afterwards (`waitingSaved`). A first read of the items, or a sealing, may come in between:
 * the row is then held once, and once sealed and removed it is never taken back as waiting (it
 * would be sealed twice). Store seqs are never reused.
 */
import { describe, expect, it } from 'vitest';
import { ArchiveItems, waitingArchiveRows } from '../../../shared/runtime/agent-archive-items.js';
import { type ChatMessage, memoryStore } from '../../../shared/runtime/index.js';
import { MemoryDatabase } from '../../../shared/storage/index.js';

const CONVERSATION = 'a1'.repeat(16);

function shown(n: number): ChatMessage {
  return {
    id: `${'c3'.repeat(16)}:${n}`,
    conversationId: CONVERSATION,
    from: 'visitor',
    senderDeviceId: 'c3'.repeat(16),
    sentAt: n,
    receivedAt: n,
    body: { kind: 'text', text: `message ${n}` },
  };
}

describe('§9.6: a waiting row is held once', () => {
  it('read before the archive is told of it: held once; sealed and removed: not taken back', async () => {
    const store = memoryStore(new MemoryDatabase());
    const rows = waitingArchiveRows({ attachments: [] }, [shown(1), shown(2)]);
    const { archiveItems: seqs } = await store.commit({ archiveItems: rows });
    // The first read of the items comes after the showing step's commit.
    const { items } = await ArchiveItems.load(store, await store.archive());
    expect(items.unsealed.map((u) => u.message.id)).toEqual([shown(1).id, shown(2).id]);
    // Told afterwards: nothing twice.
    items.committed(rows, seqs, []);
    expect(items.unsealed).toHaveLength(2);
    // A sealing removed them; the late telling does not bring them back.
    await store.commit({ archiveItemsRemoved: items.unsealedSeqs });
    items.committed([], [], items.unsealedSeqs);
    items.committed(rows, seqs, []);
    expect(items.unsealed).toEqual([]);
    // A new row is taken.
    const next = waitingArchiveRows({ attachments: [] }, [shown(3)]);
    const saved = await store.commit({ archiveItems: next });
    items.committed(next, saved.archiveItems, []);
    expect(items.unsealed.map((u) => u.message.id)).toEqual([shown(3).id]);
  });
});
