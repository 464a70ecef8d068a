/**
 * The block list (block-list.ts) in the SQLite store. Its table is created at open whatever the
 * schema version (it only adds), like sqlite-device-roles.ts, so sqlite-schema.ts is left alone.
 */
import type Database from 'better-sqlite3';
import { type BlockListStore, type BlockedVisitor, newestFirst } from './block-list.js';

const DDL = `CREATE TABLE IF NOT EXISTS blocked_visitors (
  account_id      TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  blocked_at      INTEGER NOT NULL,
  PRIMARY KEY (account_id, conversation_id)
) STRICT;`;

export class SqliteBlockList implements BlockListStore {
  readonly #block: Database.Statement;
  readonly #unblock: Database.Statement;
  readonly #has: Database.Statement;
  readonly #list: Database.Statement;

  constructor(db: Database.Database) {
    db.exec(DDL);
    this.#block = db.prepare(
      'INSERT INTO blocked_visitors (account_id, conversation_id, blocked_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
    );
    this.#unblock = db.prepare('DELETE FROM blocked_visitors WHERE account_id = ? AND conversation_id = ?');
    this.#has = db.prepare('SELECT 1 FROM blocked_visitors WHERE account_id = ? AND conversation_id = ?');
    this.#list = db.prepare('SELECT conversation_id, blocked_at FROM blocked_visitors WHERE account_id = ?');
  }

  blockVisitor(accountId: string, conversationId: string, now: number): Promise<void> {
    this.#block.run(accountId, conversationId, now);
    return Promise.resolve();
  }

  unblockVisitor(accountId: string, conversationId: string): Promise<boolean> {
    return Promise.resolve(this.#unblock.run(accountId, conversationId).changes > 0);
  }

  isVisitorBlocked(accountId: string, conversationId: string): Promise<boolean> {
    return Promise.resolve(this.#has.get(accountId, conversationId) !== undefined);
  }

  blockedVisitors(accountId: string): Promise<BlockedVisitor[]> {
    const rows = this.#list.all(accountId) as { conversation_id: string; blocked_at: number }[];
    return Promise.resolve(
      newestFirst(rows.map((r) => ({ conversationId: r.conversation_id, blockedAt: r.blocked_at }))),
    );
  }
}
