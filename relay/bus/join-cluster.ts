/**
 * What a relay node needs besides the PostgreSQL store to serve next to other nodes: the check
 * that it has the cluster's OPAQUE setup, the bus (NATS_URL or REDIS_URL; none: delivery across
 * nodes by polling only), the link between bus, store and hub, and the login states and device
 * challenges kept in the store so that no request needs to reach a particular node.
 */
import type { RelayConfig } from '../config.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { SharedStore } from '../store/store.js';
import { StoreSetupError } from '../store/pg-errors.js';
import type { Bus } from './bus.js';
import { type ClusterCache, ClusterLink } from './cluster-link.js';
import { connectNatsBus } from './nats-bus.js';
import { connectRedisBus } from './redis-bus.js';
import { SharedChallenges } from './shared-challenges.js';
import { SharedLoginStates, loginStateKey, setupFingerprint } from './shared-logins.js';

/** Cached device keys and conversations are read again after this long (relay/store/cached-store.ts). */
export const CLUSTER_CACHE_MAX_AGE_MS = 10_000;

export interface Cluster {
  readonly link: ClusterLink;
  readonly bus: Bus | undefined;
  readonly challenges: SharedChallenges;
  readonly logins: SharedLoginStates;
}

export async function joinCluster(
  store: SharedStore,
  setup: string,
  cache: ClusterCache,
  config: RelayConfig,
  log: Logger,
  metrics: Metrics,
): Promise<Cluster> {
  if (!(await store.claimSetupFingerprint(await setupFingerprint(setup)))) {
    throw new StoreSetupError(
      'this node has another OPAQUE server setup than the nodes before it: copy opaque-server-setup from an existing node into SEALDESK_DATA_DIR (logins would fail otherwise)',
    );
  }
  const link = new ClusterLink({ store, cache, log, metrics, pollMs: config.clusterPollMs });
  const events = link.busEvents();
  let bus: Bus | undefined;
  if (config.natsUrl !== undefined) bus = await connectNatsBus(config.natsUrl, config.busPrefix, events);
  else if (config.redisUrl !== undefined) bus = await connectRedisBus(config.redisUrl, config.busPrefix, events);
  else log.warn('cluster.no-bus', { pollMs: config.clusterPollMs });
  return {
    link,
    bus,
    challenges: new SharedChallenges(store),
    logins: new SharedLoginStates(store, await loginStateKey(setup)),
  };
}
