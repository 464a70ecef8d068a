/**
 * The block list (block-list.ts) in PostgreSQL. Its table is created at open (IF NOT EXISTS, under
 * an advisory lock so nodes starting together do not race), outside the numbered migrations of
 * pg-schema.ts: it only adds a table that older nodes never read.
 */
import type pg from 'pg';
import { type BlockListStore, type BlockedVisitor, newestFirst } from './block-list.js';

/** pg_advisory_xact_lock key of this table's creation ("SDBLOCKS" in ASCII, as a bigint). */
const DDL_LOCK = '5999993499079101267';

const DDL = `CREATE TABLE IF NOT EXISTS blocked_visitors (
  account_id      text NOT NULL,
  conversation_id text NOT NULL,
  blocked_at      bigint NOT NULL,
  PRIMARY KEY (account_id, conversation_id)
)`;

export async function createBlockListTable(client: pg.PoolClient): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [DDL_LOCK]);
    await client.query(DDL);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}

export class PgBlockList implements BlockListStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async blockVisitor(accountId: string, conversationId: string, now: number): Promise<void> {
    await this.#pool.query(
      'INSERT INTO blocked_visitors (account_id, conversation_id, blocked_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
      [accountId, conversationId, now],
    );
  }

  async unblockVisitor(accountId: string, conversationId: string): Promise<boolean> {
    const r = await this.#pool.query('DELETE FROM blocked_visitors WHERE account_id = $1 AND conversation_id = $2', [
      accountId,
      conversationId,
    ]);
    return (r.rowCount ?? 0) > 0;
  }

  async isVisitorBlocked(accountId: string, conversationId: string): Promise<boolean> {
    const r = await this.#pool.query('SELECT 1 FROM blocked_visitors WHERE account_id = $1 AND conversation_id = $2', [
      accountId,
      conversationId,
    ]);
    return r.rows.length > 0;
  }

  async blockedVisitors(accountId: string): Promise<BlockedVisitor[]> {
    const r = await this.#pool.query<{ conversation_id: string; blocked_at: string }>(
      'SELECT conversation_id, blocked_at FROM blocked_visitors WHERE account_id = $1',
      [accountId],
    );
    return newestFirst(
      r.rows.map((row) => ({ conversationId: row.conversation_id, blockedAt: Number(row.blocked_at) })),
    );
  }
}
