/** What every route and connection handler needs, built once in server.ts (the composition root). */
import type { RelayConfig } from './config.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';
import type { Store } from './store/store.js';
import type { RoutingCache } from './store/cached-store.js';
import type { OpaqueServer } from './auth/opaque-server.js';
import type { LoginThrottle } from './auth/login-throttle.js';
import type { ByteBudget } from './http/byte-budget.js';
import type { WindowCounter } from './rate-limit.js';
import type { Hub } from './ws/hub.js';
import type { QueueStatsCache } from './queue-stats-cache.js';
import type { AbuseLimits } from './abuse-limits.js';
import type { QueueSockets } from './ws/queue-sockets.js';
import type { PushWaker } from './push/push-waker.js';

/** Single-use challenges between POST /v1/auth/device/challenge and /session. */
export interface Challenges {
  /** A new challenge for `owner`; undefined when too many are pending (none is ever evicted). */
  issue(owner: string, now: number): Uint8Array | undefined | Promise<Uint8Array | undefined>;
  /** True once for a live challenge issued to `owner`; the challenge is gone afterwards. */
  consume(challenge: Uint8Array, owner: string, now: number): boolean | Promise<boolean>;
}

export interface RelayContext {
  readonly config: RelayConfig;
  readonly store: Store;
  /** The store's in-memory answers for the per-message routing path (see ws/route-envelope.ts). */
  readonly routingCache: RoutingCache;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly opaque: OpaqueServer;
  /** Device sign-in challenges: auth/challenges.ts on one node, relay/bus/shared-challenges.ts on several. */
  readonly challenges: Challenges;
  readonly conversationLimiter: WindowCounter;
  readonly loginThrottle: LoginThrottle;
  /** Registrations, prekey claims and challenges per address and per device (issue #10). */
  readonly abuse: AbuseLimits;
  /** Attachment bytes being received, at most SEALDESK_UPLOAD_MEMORY_BYTES (http/byte-budget.ts). */
  readonly uploadBudget: ByteBudget;
  readonly hub: Hub;
  /** Authenticated connections per queue and their shared frame budget (ws/queue-sockets.ts). */
  readonly queueSockets: QueueSockets;
  /** Queue statistics for /metrics, at most QUEUE_STATS_MAX_AGE_MS old. */
  readonly queueStats: QueueStatsCache;
  /** Web Push wake-ups (push/push-waker.ts); undefined when this relay sends none. */
  readonly push: PushWaker | undefined;
  readonly now: () => number;
  readonly startedAt: number;
}
