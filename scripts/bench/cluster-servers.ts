/**
 * The servers of `npm run bench -- --cluster`: a database of its own on the machine's PostgreSQL
 * (random name, dropped at the end), two relay nodes on it with NATS between them (a random
 * subject prefix) and the same OPAQUE setup, and the list of PostgreSQL backends serving that
 * database (their CPU counts as the server's, as SQLite's work does inside the SQLite relay).
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type Child, startRelay } from './servers.js';

export const BENCH_PG_ADMIN_URL = process.env['SEALDESK_BENCH_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const BENCH_NATS_URL = process.env['SEALDESK_BENCH_NATS_URL'] ?? 'nats://127.0.0.1:4222';

const hex = (bytes: number): string => Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString('hex');

export interface PgCluster {
  readonly database: string;
  readonly nodes: readonly { child: Child; origin: string; wsUrl: string }[];
  /** Pids of the PostgreSQL backends connected to the cluster's database now. */
  backendPids(): Promise<number[]>;
  stop(stopChild: (child: Child) => Promise<void>): Promise<void>;
}

async function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: BENCH_PG_ADMIN_URL });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

export async function startPgCluster(nodeOptions: readonly string[], nodeCount: number): Promise<PgCluster> {
  const database = `sealdesk_bench_${hex(6)}`;
  await admin((c) => c.query(`CREATE DATABASE ${database}`));
  const url = new URL(BENCH_PG_ADMIN_URL);
  url.pathname = `/${database}`;
  const env = { DATABASE_URL: url.toString(), NATS_URL: BENCH_NATS_URL, SEALDESK_BUS_PREFIX: `bench${hex(4)}` };
  const dirs: string[] = [];
  const nodes: { child: Child; origin: string; wsUrl: string }[] = [];
  const cleanup = async (stopChild: (child: Child) => Promise<void>): Promise<void> => {
    for (const node of nodes) await stopChild(node.child);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    await admin((c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
  };
  try {
    for (let i = 0; i < nodeCount; i++) {
      const dir = mkdtempSync(join(tmpdir(), 'sealdesk-bench-node-'));
      dirs.push(dir);
      // Every node needs the OPAQUE setup of the first one (docs/OPERATIONS.md).
      const first = dirs[0];
      if (i > 0 && first !== undefined)
        copyFileSync(join(first, 'opaque-server-setup'), join(dir, 'opaque-server-setup'));
      nodes.push(await startRelay(dir, nodeOptions, env, `relay node ${i + 1}`));
    }
  } catch (error) {
    await cleanup(async (child) => {
      process.kill(child.pid, 'SIGKILL');
      await Promise.resolve();
    });
    throw error;
  }
  return {
    database,
    nodes,
    backendPids: () =>
      admin(async (c) =>
        (await c.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [database])).rows.map(
          (r) => r.pid,
        ),
      ),
    stop: cleanup,
  };
}
