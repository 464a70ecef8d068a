/** What every route and connection handler needs, built once in server.ts (the composition root). */
import type { RelayConfig } from './config.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';
import type { Store } from './store/store.js';
import type { RoutingCache } from './store/cached-store.js';
import type { OpaqueServer } from './auth/opaque-server.js';
import type { ChallengeBook } from './auth/challenges.js';
import type { LoginThrottle } from './auth/login-throttle.js';
import type { ByteBudget } from './http/byte-budget.js';
import type { WindowCounter } from './rate-limit.js';
import type { Hub } from './ws/hub.js';
import type { QueueStatsCache } from './queue-stats-cache.js';

export interface RelayContext {
  readonly config: RelayConfig;
  readonly store: Store;
  /** The store's in-memory answers for the per-message routing path (see ws/route-envelope.ts). */
  readonly routingCache: RoutingCache;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly opaque: OpaqueServer;
  readonly challenges: ChallengeBook;
  readonly conversationLimiter: WindowCounter;
  readonly loginThrottle: LoginThrottle;
  /** Attachment bytes being received, at most SEALDESK_UPLOAD_MEMORY_BYTES (http/byte-budget.ts). */
  readonly uploadBudget: ByteBudget;
  readonly hub: Hub;
  /** Queue statistics for /metrics, at most QUEUE_STATS_MAX_AGE_MS old. */
  readonly queueStats: QueueStatsCache;
  readonly now: () => number;
  readonly startedAt: number;
}
