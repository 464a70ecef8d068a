/**
 * Brings a PostgreSQL database to this relay's schema version at start (pg-schema.ts). All of it
 * runs in one transaction under an advisory lock, so nodes started together migrate once and a
 * failed migration leaves the database at its old version. A database migrated by a newer relay
 * is used as long as its `oldest_compatible` allows this relay; otherwise the relay refuses to
 * start instead of writing a schema it does not know.
 */
import type { PoolClient } from 'pg';
import { StoreSetupError } from './pg-errors.js';
import { MIGRATIONS, PG_SCHEMA_VERSION } from './pg-schema.js';

/** pg_advisory_xact_lock key of migrations ("SEALDESK" in ASCII, as a bigint). */
const MIGRATION_LOCK = '6000841689093161803';

const META = `CREATE TABLE IF NOT EXISTS sealdesk_schema (
  id                integer PRIMARY KEY CHECK (id = 0),
  version           integer NOT NULL,
  oldest_compatible integer NOT NULL
)`;

export interface MigrationOutcome {
  readonly from: number;
  readonly to: number;
}

export async function migrate(client: PoolClient): Promise<MigrationOutcome> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(META);
    const row = (
      await client.query<{ version: number; oldest_compatible: number }>(
        'SELECT version, oldest_compatible FROM sealdesk_schema WHERE id = 0',
      )
    ).rows[0];
    const from = row?.version ?? 0;
    if (row !== undefined && row.oldest_compatible > PG_SCHEMA_VERSION) {
      throw new StoreSetupError(
        `the database schema is version ${from} and needs a relay of schema ${row.oldest_compatible} or newer (this relay: ${PG_SCHEMA_VERSION}); upgrade this node`,
      );
    }
    let oldest = row?.oldest_compatible ?? 1;
    for (const m of MIGRATIONS) {
      if (m.version <= from) continue;
      await client.query(m.sql);
      oldest = Math.max(oldest, m.oldestCompatible);
    }
    const to = Math.max(from, PG_SCHEMA_VERSION);
    await client.query(
      'INSERT INTO sealdesk_schema (id, version, oldest_compatible) VALUES (0, $1, $2) ON CONFLICT (id) DO UPDATE SET version = $1, oldest_compatible = $2',
      [to, oldest],
    );
    await client.query('COMMIT');
    return { from, to };
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}
