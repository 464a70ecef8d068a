/**
 * The composition root: store, OPAQUE setup, HTTP routes, WebSocket endpoint (/v1/ws), heartbeat,
 * retention sweep and graceful shutdown. `startRelay` is what main.ts calls.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { LIMITS } from '../shared/wire/index.js';
import type { RelayConfig } from './config.js';
import type { RelayContext } from './context.js';
import { errorText, type Logger } from './log.js';
import { Metrics } from './metrics.js';
import { type PurgeCounts, queueOwner, type Store } from './store/store.js';
import { inspectInstall, openSqliteData, requireServerSetup } from './store/sqlite-open.js';
import { lockDataDir } from './store/sqlite-lock.js';
import { dataDirSetting, prepareDataDir } from './data-dir.js';
import { SetupError } from './errors.js';
import { CachedStore, DEFAULT_CACHE_ENTRIES } from './store/cached-store.js';
import { PgStore } from './store/pg-store.js';
import { CLUSTER_CACHE_MAX_AGE_MS, type Cluster, joinCluster } from './bus/join-cluster.js';
import { QueueStatsCache } from './queue-stats-cache.js';
import { AddressSlots } from './ws/address-slots.js';
import { addressKey, clientAddress } from './http/client-address.js';
import { OpaqueServer, loadServerSetup } from './auth/opaque-server.js';
import { LoginThrottle } from './auth/login-throttle.js';
import { ByteBudget } from './http/byte-budget.js';
import { ChallengeBook } from './auth/challenges.js';
import { WindowCounter } from './rate-limit.js';
import { AbuseLimits } from './abuse-limits.js';
import { Hub } from './ws/hub.js';
import { QueueSockets } from './ws/queue-sockets.js';
import { Connection } from './ws/connection.js';
import { handleRequest } from './http/handle-request.js';
import { capPendingConnections } from './http/pending-connections.js';
import { requestPath } from './http/request-path.js';
import { answerClientError } from './http/client-error.js';
import { authRoutes } from './http/auth-routes.js';
import { recoveryRoutes } from './http/recovery-routes.js';
import { directoryRoutes } from './http/directory-routes.js';
import { attachmentPutRoutes } from './http/attachment-put-route.js';
import { conversationRoutes } from './http/conversation-routes.js';
import { blockRoutes } from './http/block-routes.js';
import { linkRoutes } from './http/link-routes.js';
import { archiveRoutes } from './http/archive-routes.js';
import { opsRoutes } from './http/ops-routes.js';
import { staticRoutes } from './http/static-routes.js';
import { pushRoutes } from './http/push-routes.js';
import { PushWaker } from './push/push-waker.js';
import { checkVapidKeys, loadOrCreateVapidKeys } from './push/vapid-keys.js';

export const WS_PATH = '/v1/ws';
export { DB_FILE } from './store/sqlite-open.js';
const RETENTION_SWEEP_MS = 60_000;

export interface RunningRelay {
  readonly origin: string;
  readonly server: Server;
  /** The retention sweep the relay runs at start and every minute (SEALDESK_RETENTION_SECONDS). */
  retentionSweep(): Promise<PurgeCounts>;
  close(): Promise<void>;
}

export async function startRelay(config: RelayConfig, log: Logger, storeOverride?: Store): Promise<RunningRelay> {
  // Start-up order (issue #10, "Also"; docs/OPERATIONS.md, "Start-up checks"): the data directory
  // is checked and locked, then the port is bound, and only then are the database, its worker and
  // the timers started, so a failed listen leaves nothing running and exits at once. Whatever
  // fails later closes everything started before it.
  const setting = dataDirSetting(config.dataDir);
  prepareDataDir(config.dataDir);
  const embedded = storeOverride === undefined && config.databaseUrl === undefined;
  const signs = embedded ? inspectInstall(config.dataDir) : [];
  const lock = embedded ? lockDataDir(config.dataDir, setting) : undefined;
  // Until the store is open (quick_check reads the whole file), requests get 503 `starting`.
  // Slowloris (issue #10 item 6): headers and whole requests have a deadline, checked every second.
  const headersTimeout = Math.min(config.headersTimeoutMs, config.requestTimeoutMs);
  const server = createServer(
    {
      headersTimeout,
      requestTimeout: config.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(1_000, headersTimeout),
    },
    starting,
  );
  server.on('clientError', answerClientError);
  try {
    await listen(server, config);
  } catch (error) {
    lock?.release();
    throw error;
  }
  const opened: { store: Store | undefined } = { store: undefined };
  try {
    // DATABASE_URL: a PostgreSQL store shared with other nodes (docs/OPERATIONS.md, "Running several nodes").
    const shared =
      storeOverride === undefined && config.databaseUrl !== undefined
        ? await PgStore.open(config.databaseUrl, {
            poolSize: config.databasePoolSize,
            onIdleError: (error) => {
              log.warn('store.connection-lost', { error: errorText(error) });
            },
          })
        : undefined;
    opened.store = shared;
    const embeddedStore = embedded
      ? openSqliteData(config.dataDir, setting, signs, {
          onCheckpointerFailure: (error) => {
            log.error('store.checkpointer-failed', { error: errorText(error) });
          },
          // Cursors moved past the floor file (issue #10 item 13): loud when commits were lost.
          onCursorFloorJump: (jump) => {
            if (jump.reason === 'unclean-stop') log.info('store.cursor-floor-used', { ...jump });
            else log.warn('store.cursor-floor-used', { ...jump });
          },
        })
      : undefined;
    if (embeddedStore !== undefined) {
      opened.store = embeddedStore;
      requireServerSetup(config.dataDir, setting, embeddedStore);
    }
    const backing = storeOverride ?? shared ?? embeddedStore;
    if (backing === undefined) throw new Error('no store: unreachable (embedded, shared or given)');
    const relay = await serve(config, log, server, backing, shared);
    return {
      ...relay,
      close: async () => {
        try {
          await relay.close();
        } finally {
          lock?.release();
        }
      },
    };
  } catch (error) {
    await new Promise<void>((resolve) =>
      server.close(() => {
        resolve();
      }),
    );
    await opened.store?.close();
    lock?.release();
    throw error;
  }
}

/**
 * The Web Push sender (PROTOCOL §16.8) with the VAPID keys of the environment or, on one node, of
 * the data directory. Nodes sharing a database must share one key pair (a subscription is bound to
 * it): without SEALDESK_VAPID_* they send no push.
 */
function startPush(
  config: RelayConfig,
  log: Logger,
  store: Store,
  now: () => number,
  shared: boolean,
): PushWaker | undefined {
  const keys =
    config.push.vapidKeys === undefined
      ? shared
        ? undefined
        : loadOrCreateVapidKeys(config.dataDir)
      : checkVapidKeys(config.push.vapidKeys, 'SEALDESK_VAPID_PUBLIC_KEY / SEALDESK_VAPID_PRIVATE_KEY');
  if (keys === undefined) {
    log.warn('push.disabled', { reason: 'set SEALDESK_VAPID_PUBLIC_KEY and SEALDESK_VAPID_PRIVATE_KEY on every node' });
    return undefined;
  }
  return new PushWaker({ store, log, now, keys, config: config.push });
}

function starting(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1', connection: 'close' });
  res.end(JSON.stringify({ error: 'starting', message: 'the relay is starting; retry in a second' }));
}

/** Binds HOST:PORT; a failure names the variables and what to change. */
async function listen(server: Server, config: RelayConfig): Promise<void> {
  const where = `HOST=${config.host} PORT=${String(config.port)}`;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'EADDRINUSE') throw new SetupError(`${where}: the port is in use; set PORT to another one (or 0)`);
    if (code === 'EACCES') throw new SetupError(`${where}: not allowed to listen there; set PORT above 1023`);
    throw new SetupError(
      `cannot listen on ${where}: ${errorText(error)}; set HOST to an address of this machine (127.0.0.1, ::1, 0.0.0.0)`,
    );
  }
}

async function serve(
  config: RelayConfig,
  log: Logger,
  server: Server,
  backing: Store,
  shared: PgStore | undefined,
): Promise<RunningRelay> {
  // Routing looks up a device key or a conversation per envelope: keep them in memory (for a
  // bounded time when other nodes write the same database).
  const cached = new CachedStore(
    backing,
    DEFAULT_CACHE_ENTRIES,
    shared === undefined ? {} : { maxAgeMs: CLUSTER_CACHE_MAX_AGE_MS },
  );
  const store: Store = cached;
  const metrics = new Metrics();
  const setup = await loadServerSetup(config.dataDir);
  const cluster: Cluster | undefined =
    shared === undefined ? undefined : await joinCluster(shared, setup, cached, config, log, metrics);
  const opaque = new OpaqueServer(setup, cluster?.logins);
  const now = (): number => Date.now();
  const push = startPush(config, log, store, now, shared !== undefined);
  const hub = new Hub(store, log, metrics, now, cluster?.link, {
    maxQueueMessages: config.maxQueueMessages,
    onStoredWhileAway: (queue) => {
      const owner = queueOwner(queue);
      if (push !== undefined && owner?.kind === 'device') push.wake(owner.accountId, owner.deviceId);
    },
  });
  cluster?.link.attach(hub, cluster.bus);
  const ctx: RelayContext = {
    config,
    store,
    log,
    metrics,
    opaque,
    now,
    routingCache: cached,
    challenges: cluster?.challenges ?? new ChallengeBook(),
    conversationLimiter: new WindowCounter(config.conversationsPerVisitorPerHour, 3_600_000),
    loginThrottle: new LoginThrottle(config.loginsPerUsernamePerHour),
    abuse: new AbuseLimits(config),
    uploadBudget: new ByteBudget(config.uploadMemoryBytes),
    hub,
    queueSockets: new QueueSockets(config.socketsPerQueue, config.messagesPerConnectionPerSecond),
    queueStats: new QueueStatsCache(store, now),
    push,
    startedAt: now(),
  };
  const routes = [
    ...opsRoutes,
    ...authRoutes,
    ...directoryRoutes,
    ...conversationRoutes,
    ...blockRoutes,
    ...attachmentPutRoutes,
    ...linkRoutes,
    ...recoveryRoutes,
    ...pushRoutes,
    ...archiveRoutes,
    ...staticRoutes(config.staticDir),
  ];

  server.off('request', starting);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void handleRequest(routes, ctx, req, res);
  });
  // Slowloris (issue #10 item 6): connections still waiting for their first headers are capped per
  // address (the deadlines are set where the server is created).
  if (config.trustedProxies === 0) capPendingConnections(server, config.pendingRequestsPerAddress, metrics);
  // Frames up to 4x the cap reach the decoder and get a frame-too-large error frame while the
  // connection stays open; anything larger is refused by ws itself (close 1009).
  const wss = new WebSocketServer({ noServer: true, maxPayload: LIMITS.maxFrameBytes * 4, perMessageDeflate: false });
  const connections = new Set<Connection>();
  const pendingHellos = new AddressSlots(config.pendingConnectionsPerAddress);
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => {
      socket.destroy();
    });
    if (requestPath(req.url) !== WS_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\n\r\n');
      return;
    }
    const slot = pendingHellos.take(addressKey(clientAddress(req, config.trustedProxies)));
    if (slot === undefined) {
      metrics.reject('too-many-pending');
      socket.end('HTTP/1.1 429 Too Many Requests\r\nconnection: close\r\n\r\n');
      return;
    }
    // The connection frees the slot at its hello or its close. ws calls back synchronously or,
    // for a socket that closed meanwhile, never (ws 8 WebSocketServer.completeUpgrade).
    const upgrade = { done: false };
    wss.handleUpgrade(req, socket, head, (ws) => {
      upgrade.done = true;
      metrics.connections += 1;
      // The upgrade socket is the one ws writes to; the connection corks it around batches.
      const connection = new Connection(ws, ctx, socket, slot);
      connections.add(connection);
      ws.on('close', () => connections.delete(connection));
    });
    if (!upgrade.done) slot();
  });

  const heartbeat = setInterval(() => {
    for (const c of connections) c.ping();
  }, config.heartbeatMs);
  const sweep = async (): Promise<PurgeCounts> => {
    const t = now();
    const purged = await store.purge(t - config.retentionSeconds * 1000, t);
    // A visitor may still be connected to a conversation deleted as idle: close it, as when the
    // account deletes a conversation (its capability no longer opens a connection either).
    for (const id of purged.conversationIds) ctx.hub.disconnectConversation(id);
    const { messages, attachments, conversations, sessions } = purged;
    if (messages + attachments + conversations + sessions > 0)
      log.info('retention.purged', { messages, attachments, conversations, sessions });
    return purged;
  };
  const retention = setInterval(() => {
    sweep().catch((error: unknown) => {
      log.error('retention.failed', { error: errorText(error) });
    });
  }, RETENTION_SWEEP_MS);
  try {
    await sweep();
  } catch (error) {
    // Nothing may keep the process alive after a failed start (timers, the bus connection).
    clearInterval(heartbeat);
    clearInterval(retention);
    await push?.close();
    await cluster?.link.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const origin = `http://${host}:${port}`;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      clearInterval(heartbeat);
      clearInterval(retention);
      const stopped = new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
      for (const ws of wss.clients) ws.close(1001, 'relay shutting down');
      await ctx.hub.drain();
      await push?.close();
      server.closeAllConnections();
      for (const ws of wss.clients) ws.terminate();
      await stopped;
      await cluster?.link.close();
      await store.close();
      log.info('relay.stopped');
    })();
    return closing;
  };
  return { origin, server, retentionSweep: sweep, close };
}
