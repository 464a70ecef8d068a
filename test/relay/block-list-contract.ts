/** The block list part of the Store contract (relay/store/block-list.ts), run by store-contract.ts on every store. */
import { expect, it } from 'vitest';
import type { Store } from '../../relay/store/store.js';

const hex = (n: number): string => n.toString(16).padStart(32, '0');
const A = hex(1);
const B = hex(2);
const C1 = hex(21);
const C2 = hex(22);

export function blockListContract(withStore: (run: (s: Store) => Promise<void>) => Promise<void>): void {
  it('blocks, lists and unblocks visitors per account', () =>
    withStore(async (s) => {
      expect(await s.isVisitorBlocked(A, C1)).toBe(false);
      expect(await s.blockedVisitors(A)).toEqual([]);
      await s.blockVisitor(A, C1, 100);
      await s.blockVisitor(A, C2, 200);
      // Blocking again keeps the first time.
      await s.blockVisitor(A, C1, 300);
      expect(await s.isVisitorBlocked(A, C1)).toBe(true);
      expect(await s.blockedVisitors(A)).toEqual([
        { conversationId: C2, blockedAt: 200 },
        { conversationId: C1, blockedAt: 100 },
      ]);
      // Another account sees nothing of it.
      expect(await s.isVisitorBlocked(B, C1)).toBe(false);
      expect(await s.blockedVisitors(B)).toEqual([]);
      expect(await s.unblockVisitor(B, C1)).toBe(false);
      expect(await s.unblockVisitor(A, C1)).toBe(true);
      expect(await s.unblockVisitor(A, C1)).toBe(false);
      expect(await s.isVisitorBlocked(A, C1)).toBe(false);
      expect(await s.blockedVisitors(A)).toEqual([{ conversationId: C2, blockedAt: 200 }]);
    }));

  it('keeps a block after its conversation is deleted', () =>
    withStore(async (s) => {
      expect(await s.createAccount({ accountId: A, username: 'blocker', opaqueRecord: 'rec' }, 1)).toBe(true);
      expect(
        await s.createConversation({ conversationId: C1, accountId: A, capabilityHash: new Uint8Array(32) }, 1),
      ).toBe(true);
      await s.blockVisitor(A, C1, 5);
      expect(await s.deleteConversation(C1)).toBe(true);
      expect(await s.isVisitorBlocked(A, C1)).toBe(true);
    }));
}
