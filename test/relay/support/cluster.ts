/**
 * Several real relay processes, compiled as for production (support/relay-build.ts), on one
 * PostgreSQL database (a database of their own, dropped at the end), each with a copy of the
 * first node's OPAQUE setup, and one bus with a random subject prefix, so that parallel test runs
 * on the machine's NATS or Redis never hear each other.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type RelayProcess, makeDataDir, startRelayProcess } from './relay-process.js';
import { type TestDatabase, createTestDatabase } from './pg-database.js';
import { buildRelay } from './relay-build.js';

export const MACHINE_NATS = 'nats://127.0.0.1:4222';
export const MACHINE_REDIS = 'redis://127.0.0.1:6379';

export type BusChoice = { readonly NATS_URL: string } | { readonly REDIS_URL: string } | Record<string, never>;

export interface TestCluster {
  readonly db: TestDatabase;
  readonly nodes: RelayProcess[];
  /** Starts one more node (or a replacement) with the cluster's settings. */
  startNode(): Promise<RelayProcess>;
  /** Stops every node still running (SIGTERM), drops the database, removes the directories. */
  dispose(): Promise<void>;
}

export async function startCluster(options: {
  readonly nodes: number;
  readonly bus: BusChoice;
  readonly pgAdminUrl?: string;
  readonly env?: Readonly<Record<string, string>>;
}): Promise<TestCluster> {
  const db = await createTestDatabase(options.pgAdminUrl);
  const data = makeDataDir();
  const bundle = await buildRelay();
  const env: Record<string, string> = {
    DATABASE_URL: db.url,
    SEALDESK_BUS_PREFIX: `t${Buffer.from(crypto.getRandomValues(new Uint8Array(6))).toString('hex')}`,
    SEALDESK_MESSAGES_PER_SECOND: '100000',
    SEALDESK_CONVERSATIONS_PER_HOUR: '100000',
    SEALDESK_LOG_LEVEL: 'info',
    SEALDESK_CLUSTER_POLL_MS: '500',
    ...options.bus,
    ...options.env,
  };
  const nodes: RelayProcess[] = [];
  let count = 0;
  const startNode = async (): Promise<RelayProcess> => {
    // Each node has a data directory of its own holding a copy of the first node's OPAQUE setup.
    const dir = join(data.dir, `node-${count++}`);
    mkdirSync(dir, { mode: 0o700 });
    if (count > 1) copyFileSync(join(data.dir, 'node-0', 'opaque-server-setup'), join(dir, 'opaque-server-setup'));
    const node = await startRelayProcess(dir, env, 0, bundle.entry);
    nodes.push(node);
    return node;
  };
  try {
    // The first node creates the OPAQUE setup the others copy; then they start together.
    await startNode();
    await Promise.all(Array.from({ length: options.nodes - 1 }, () => startNode()));
  } catch (error) {
    await Promise.all(nodes.map((n) => n.stop('SIGKILL')));
    await db.drop();
    data.remove();
    bundle.remove();
    throw error;
  }
  return {
    db,
    nodes,
    startNode,
    dispose: async () => {
      await Promise.all(nodes.map((n) => n.stop('SIGTERM')));
      await db.drop();
      data.remove();
      bundle.remove();
    },
  };
}
