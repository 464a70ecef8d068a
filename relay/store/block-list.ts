/**
 * The per-visitor block list of issue #15 item 6 (docs/PROTOCOL.md §16.10): an account refuses the
 * visitor of one of its conversations. The conversation id is bound to the visitor's key (PROTOCOL
 * §5.1, #9.3), so a block is per visitor key. A block outlives the conversation (its deletion or
 * expiry): the same visitor key opening the same id again is still refused.
 */

export interface BlockedVisitor {
  readonly conversationId: string;
  readonly blockedAt: number;
}

export interface BlockListStore {
  /** Blocks the visitor of the conversation for `accountId`; blocking twice keeps the first time. */
  blockVisitor(accountId: string, conversationId: string, now: number): Promise<void>;
  /** False when it was not blocked. */
  unblockVisitor(accountId: string, conversationId: string): Promise<boolean>;
  isVisitorBlocked(accountId: string, conversationId: string): Promise<boolean>;
  /** The account's blocked conversations, most recent first. */
  blockedVisitors(accountId: string): Promise<BlockedVisitor[]>;
}

/** The in-memory block list (MemoryStore and tests). */
export class MemoryBlockList implements BlockListStore {
  /** accountId -> conversationId -> blockedAt */
  readonly #blocked = new Map<string, Map<string, number>>();

  blockVisitor(accountId: string, conversationId: string, now: number): Promise<void> {
    const of = this.#blocked.get(accountId) ?? new Map<string, number>();
    if (!of.has(conversationId)) of.set(conversationId, now);
    this.#blocked.set(accountId, of);
    return Promise.resolve();
  }

  unblockVisitor(accountId: string, conversationId: string): Promise<boolean> {
    return Promise.resolve(this.#blocked.get(accountId)?.delete(conversationId) === true);
  }

  isVisitorBlocked(accountId: string, conversationId: string): Promise<boolean> {
    return Promise.resolve(this.#blocked.get(accountId)?.has(conversationId) === true);
  }

  blockedVisitors(accountId: string): Promise<BlockedVisitor[]> {
    const of = this.#blocked.get(accountId) ?? new Map<string, number>();
    return Promise.resolve(newestFirst([...of].map(([conversationId, blockedAt]) => ({ conversationId, blockedAt }))));
  }
}

export function newestFirst(list: BlockedVisitor[]): BlockedVisitor[] {
  return list.sort((a, b) => b.blockedAt - a.blockedAt || a.conversationId.localeCompare(b.conversationId));
}
