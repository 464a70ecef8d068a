/**
 * Relay configuration: every setting comes from an environment variable (documented in
 * docs/OPERATIONS.md and by `relay --help`), with safe defaults for a laptop.
 */
import { resolve } from 'node:path';
import { LIMITS } from '../shared/wire/index.js';
import { ConfigError } from './errors.js';

export interface RelayConfig {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  /** Undelivered envelopes, attachments and idle conversations older than this are deleted. */
  readonly retentionSeconds: number;
  readonly sessionTtlSeconds: number;
  readonly maxDevicesPerAccount: number;
  readonly maxOneTimePrekeysPerDevice: number;
  readonly maxBlobBytes: number;
  readonly conversationsPerVisitorPerHour: number;
  /** New conversations one account may be opened per hour, over all addresses (issue #15 item 6). */
  readonly conversationsPerAccountPerHour: number;
  /** OPAQUE login starts per username per hour (auth/login-throttle.ts). */
  readonly loginsPerUsernamePerHour: number;
  /** Reverse proxies in front of the relay whose X-Forwarded-For entries are trusted (http/client-address.ts). */
  readonly trustedProxies: number;
  /** Unauthenticated WebSocket connections per visitor address (ws/address-slots.ts). */
  readonly pendingConnectionsPerAddress: number;
  readonly messagesPerConnectionPerSecond: number;
  /** Team signals per second per device connection, forwarded and never stored (PROTOCOL §16.12). */
  readonly teamSignalsPerConnectionPerSecond: number;
  readonly maxBufferedBytes: number;
  readonly heartbeatMs: number;
  readonly maxAttachmentBytes: number;
  readonly attachmentQuotaBytesPerConversation: number;
  /** Attachment bytes being received at once (http/byte-budget.ts). */
  readonly uploadMemoryBytes: number;
  readonly logLevel: LogLevel;
  /** Built web files: widget/, demo/ and pwa/ under it are served at /widget/, /demo/ and /app/ (http/static-routes.ts). */
  readonly staticDir: string;
  /** PostgreSQL URL (DATABASE_URL): the shared store of several nodes; unset, the embedded SQLite file. */
  readonly databaseUrl: string | undefined;
  readonly databasePoolSize: number;
  /** The cross-node bus: NATS_URL or REDIS_URL (at most one), only with DATABASE_URL. */
  readonly natsUrl: string | undefined;
  readonly redisUrl: string | undefined;
  /** Prefix of the bus subjects or channels, so several deployments can share one NATS or Redis. */
  readonly busPrefix: string;
  /** How often a node reads the heads of the queues it serves from the shared store. */
  readonly clusterPollMs: number;
  // Abuse limits of issue #10 (docs/OPERATIONS.md "Limits").
  readonly registrationsPerAddressPerHour: number;
  readonly prekeyClaimsPerAddressPerHour: number;
  readonly prekeyClaimsPerDevicePerHour: number;
  readonly challengesPerAddressPerMinute: number;
  readonly challengesPerDevicePerMinute: number;
  readonly socketsPerQueue: number;
  readonly maxQueueMessages: number;
  /** History records one account may keep (PROTOCOL §9.2); further writes get 409 archive-full. */
  readonly maxHistoryRecords: number;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly pendingRequestsPerAddress: number;
  /** Web Push wake-ups (relay/push/, PROTOCOL §16.9). */
  readonly push: PushConfig;
}

export interface PushConfig {
  /** VAPID key pair from the environment (base64url, RFC 8292 §3.2); undefined: the data directory's. */
  readonly vapidKeys: { readonly publicKey: string; readonly privateKey: string } | undefined;
  /** The VAPID `sub` claim: a mailto: or https: contact for push services. */
  readonly subject: string;
  /** Subscriptions may name a plain-HTTP endpoint on a loopback address (tests and development only). */
  readonly allowLoopbackHttp: boolean;
  /** At most one wake-up per device per this many milliseconds. */
  readonly intervalMs: number;
  /** Requests to push services in flight at once. */
  readonly concurrency: number;
  /** How long a push service keeps an undelivered wake-up (the TTL header, RFC 8030 §5.2). */
  readonly ttlSeconds: number;
}

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Each environment variable with its default and a one-line description (used by --help). */
export const ENV_VARS = {
  HOST: { fallback: '127.0.0.1', help: 'interface to listen on' },
  PORT: { fallback: '8787', help: 'TCP port (0 picks a free port; the URL is printed)' },
  SEALDESK_DATA_DIR: { fallback: './data', help: 'directory for relay.sqlite and opaque-server-setup (mode 0600)' },
  SEALDESK_RETENTION_SECONDS: {
    fallback: String(30 * 24 * 3600),
    help: 'delete undelivered envelopes, attachments and idle conversations after this',
  },
  SEALDESK_SESSION_TTL_SECONDS: {
    fallback: String(7 * 24 * 3600),
    help: 'lifetime of a login or device session token',
  },
  SEALDESK_MAX_DEVICES: {
    fallback: String(LIMITS.maxDevicesPerList),
    help: `devices an account may enrol (at most ${LIMITS.maxDevicesPerList}, the device-list cap)`,
  },
  SEALDESK_MAX_PREKEYS: { fallback: '200', help: 'one-time prekeys stored per device' },
  SEALDESK_MAX_BLOB_BYTES: { fallback: String(64 * 1024), help: 'largest device list, prekey bundle or widget config' },
  SEALDESK_CONVERSATIONS_PER_HOUR: { fallback: '20', help: 'conversations one visitor address may open per hour' },
  SEALDESK_ACCOUNT_CONVERSATIONS_PER_HOUR: {
    fallback: '600',
    help: 'new conversations one account (business) may be opened per hour, over all visitor addresses',
  },
  SEALDESK_LOGINS_PER_HOUR: {
    fallback: '30',
    help: 'password login attempts per username per hour (ten times as many per visitor address)',
  },
  SEALDESK_PENDING_CONNECTIONS_PER_ADDRESS: {
    fallback: '128',
    help: 'WebSocket connections one visitor address may hold open before they authenticate',
  },
  SEALDESK_TRUSTED_PROXIES: {
    fallback: '0',
    help: 'reverse proxies in front that append to X-Forwarded-For (0: count the TCP peer)',
  },
  SEALDESK_MESSAGES_PER_SECOND: {
    fallback: '50',
    help: 'inbound frames per second per device or conversation, over all its WebSocket connections',
  },
  SEALDESK_TEAM_SIGNALS_PER_SECOND: {
    fallback: '4',
    help: 'team signals (PROTOCOL §16.12) per second per device connection (burst = same); more are refused',
  },
  SEALDESK_MAX_BUFFERED_BYTES: {
    fallback: String(4 * 1024 * 1024),
    help: 'slow consumers with more unsent bytes are disconnected',
  },
  SEALDESK_HEARTBEAT_MS: {
    fallback: '30000',
    help: 'ping interval; a socket that has not answered the previous ping is closed',
  },
  SEALDESK_MAX_ATTACHMENT_BYTES: { fallback: String(25 * 1024 * 1024), help: 'largest encrypted attachment' },
  SEALDESK_UPLOAD_MEMORY_BYTES: {
    fallback: String(256 * 1024 * 1024),
    help: 'attachment bytes being received at once, over all uploads (at least SEALDESK_MAX_ATTACHMENT_BYTES)',
  },
  SEALDESK_ATTACHMENT_QUOTA_BYTES: {
    fallback: String(200 * 1024 * 1024),
    help: 'attachment bytes stored per conversation',
  },
  SEALDESK_LOG_LEVEL: { fallback: 'info', help: 'debug | info | warn | error' },
  SEALDESK_STATIC_DIR: {
    fallback: './dist',
    help: 'built web files (npm run build): widget/, demo/ and pwa/ are served at /widget/, /demo/ and /app/',
  },
  DATABASE_URL: {
    fallback: '',
    help: 'postgres://… : PostgreSQL shared by several relay nodes instead of the SQLite file',
  },
  SEALDESK_DATABASE_POOL: { fallback: '8', help: 'PostgreSQL connections per node' },
  NATS_URL: { fallback: '', help: 'nats://host:4222 : wakes the other nodes for new messages (with DATABASE_URL)' },
  REDIS_URL: { fallback: '', help: 'redis://host:6379 : the same over Redis pub/sub (set NATS_URL or REDIS_URL)' },
  SEALDESK_BUS_PREFIX: { fallback: 'sealdesk', help: 'prefix of the NATS subjects or Redis channels' },
  SEALDESK_CLUSTER_POLL_MS: {
    fallback: '1000',
    help: 'how often a node re-reads the queues it serves from PostgreSQL (catches lost wake-ups)',
  },
  SEALDESK_REGISTRATIONS_PER_HOUR: { fallback: '10', help: 'accounts one visitor address may register per hour' },
  SEALDESK_PREKEY_CLAIMS_PER_HOUR: { fallback: '60', help: 'one-time prekeys one visitor address may claim per hour' },
  SEALDESK_PREKEY_CLAIMS_PER_DEVICE_PER_HOUR: {
    fallback: '120',
    help: 'one-time prekeys claimed from one device per hour (past it: none-left, the signed prekey alone)',
  },
  SEALDESK_CHALLENGES_PER_MINUTE: { fallback: '30', help: 'device sign-in challenges per visitor address per minute' },
  SEALDESK_CHALLENGES_PER_DEVICE_PER_MINUTE: {
    fallback: '10',
    help: 'device sign-in challenges per device per minute',
  },
  SEALDESK_SOCKETS_PER_QUEUE: {
    fallback: '8',
    help: 'authenticated WebSocket connections per device or per visitor conversation (capability)',
  },
  SEALDESK_MAX_QUEUE_MESSAGES: {
    fallback: '100000',
    help: 'undelivered messages one receiver queue may hold; further sends get queue-full',
  },
  SEALDESK_MAX_HISTORY_RECORDS: {
    fallback: '200000',
    help: 'history records (team history, notes, canned replies) one account may keep; further writes get archive-full',
  },
  SEALDESK_HEADERS_TIMEOUT_MS: { fallback: '10000', help: 'time a client has to send the headers of a request' },
  SEALDESK_REQUEST_TIMEOUT_MS: {
    fallback: '300000',
    help: 'time a client has to send a whole request (an attachment upload included)',
  },
  SEALDESK_PENDING_REQUESTS_PER_ADDRESS: {
    fallback: '256',
    help: 'HTTP connections one address may hold before their first request arrives (0 proxies only)',
  },
  SEALDESK_VAPID_PUBLIC_KEY: {
    fallback: '',
    help: 'Web Push VAPID public key (base64url P-256 point); unset with the private key: generated into the data directory',
  },
  SEALDESK_VAPID_PRIVATE_KEY: {
    fallback: '',
    help: 'Web Push VAPID private key (base64url, 32 bytes); set both or neither',
  },
  SEALDESK_VAPID_SUBJECT: {
    fallback: 'mailto:push@sealdesk.invalid',
    help: 'contact given to push services in each VAPID token (mailto: or https:)',
  },
  SEALDESK_PUSH_LOOPBACK_HTTP: {
    fallback: '0',
    help: '1: accept plain-HTTP push endpoints on loopback addresses (tests and development only)',
  },
  SEALDESK_PUSH_INTERVAL_SECONDS: {
    fallback: '30',
    help: 'at most one Web Push wake-up per device per this many seconds',
  },
  SEALDESK_PUSH_CONCURRENCY: { fallback: '16', help: 'requests to push services in flight at once' },
  SEALDESK_PUSH_TTL_SECONDS: { fallback: '14400', help: 'how long a push service keeps an undelivered wake-up' },
} as const;

export type EnvName = keyof typeof ENV_VARS;

/**
 * Settings whose empty value is a mistake, not "use the default": an empty HOST would listen on
 * every interface's default, an empty SEALDESK_DATA_DIR a directory the operator did not choose
 * (issue #10). Other variables treat empty as unset.
 */
const NEVER_EMPTY: ReadonlySet<EnvName> = new Set<EnvName>(['HOST', 'PORT', 'SEALDESK_DATA_DIR']);

function read(env: NodeJS.ProcessEnv, name: EnvName): string {
  const value = env[name];
  if (value?.trim() === '' && NEVER_EMPTY.has(name))
    throw new ConfigError(`${name} is empty; unset it for the default (${ENV_VARS[name].fallback}) or give a value`);
  return value === undefined || value === '' ? ENV_VARS[name].fallback : value;
}

function busPrefix(env: NodeJS.ProcessEnv): string {
  const text = read(env, 'SEALDESK_BUS_PREFIX');
  // A NATS subject token and a Redis channel name alike.
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(text))
    throw new ConfigError('SEALDESK_BUS_PREFIX must be 1 to 64 letters, digits, "-" or "_"');
  return text;
}

function int(env: NodeJS.ProcessEnv, name: EnvName, min: number, max: number): number {
  const text = read(env, name);
  if (!/^\d+$/.test(text)) throw new ConfigError(`${name} must be a whole number, got "${text}"`);
  const value = Number(text);
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

/** An optional URL with one of `schemes`; undefined when unset. */
function url(env: NodeJS.ProcessEnv, name: EnvName, schemes: readonly string[]): string | undefined {
  const text = read(env, name);
  if (text === '') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw new ConfigError(`${name} must be a URL (${schemes.map((s) => `${s}//…`).join(' or ')})`);
  }
  if (!schemes.includes(parsed.protocol))
    throw new ConfigError(`${name} must start with ${schemes.map((s) => `${s}//`).join(' or ')}`);
  return text;
}

function pushConfig(env: NodeJS.ProcessEnv): PushConfig {
  const publicKey = read(env, 'SEALDESK_VAPID_PUBLIC_KEY');
  const privateKey = read(env, 'SEALDESK_VAPID_PRIVATE_KEY');
  if ((publicKey === '') !== (privateKey === ''))
    throw new ConfigError('set SEALDESK_VAPID_PUBLIC_KEY and SEALDESK_VAPID_PRIVATE_KEY together, or neither');
  const subject = read(env, 'SEALDESK_VAPID_SUBJECT');
  if (!/^(mailto:[^\s]+|https:\/\/[^\s]+)$/.test(subject) || subject.length > 256)
    throw new ConfigError('SEALDESK_VAPID_SUBJECT must be a mailto: address or an https: URL (RFC 8292 §2.1)');
  return {
    vapidKeys: publicKey === '' ? undefined : { publicKey, privateKey },
    subject,
    allowLoopbackHttp: int(env, 'SEALDESK_PUSH_LOOPBACK_HTTP', 0, 1) === 1,
    intervalMs: int(env, 'SEALDESK_PUSH_INTERVAL_SECONDS', 0, 86_400) * 1000,
    concurrency: int(env, 'SEALDESK_PUSH_CONCURRENCY', 1, 1_000),
    ttlSeconds: int(env, 'SEALDESK_PUSH_TTL_SECONDS', 0, 28 * 86_400),
  };
}

function logLevel(env: NodeJS.ProcessEnv): LogLevel {
  const text = read(env, 'SEALDESK_LOG_LEVEL');
  const found = LOG_LEVELS.find((l) => l === text);
  if (found === undefined) throw new ConfigError(`SEALDESK_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  return found;
}

export function loadConfig(env: NodeJS.ProcessEnv): RelayConfig {
  const config = readConfig(env);
  if (config.uploadMemoryBytes < config.maxAttachmentBytes) {
    throw new ConfigError(
      `SEALDESK_UPLOAD_MEMORY_BYTES (${config.uploadMemoryBytes}) must be at least SEALDESK_MAX_ATTACHMENT_BYTES (${config.maxAttachmentBytes}), or no attachment of the largest size could be received`,
    );
  }
  if (config.natsUrl !== undefined && config.redisUrl !== undefined)
    throw new ConfigError('set NATS_URL or REDIS_URL, not both: the nodes of one cluster use one bus');
  if ((config.natsUrl ?? config.redisUrl) !== undefined && config.databaseUrl === undefined)
    throw new ConfigError('NATS_URL and REDIS_URL need DATABASE_URL: nodes share messages through PostgreSQL');
  return config;
}

function readConfig(env: NodeJS.ProcessEnv): RelayConfig {
  return {
    host: read(env, 'HOST'),
    port: int(env, 'PORT', 0, 65535),
    dataDir: resolve(read(env, 'SEALDESK_DATA_DIR')),
    retentionSeconds: int(env, 'SEALDESK_RETENTION_SECONDS', 60, 10 * 365 * 24 * 3600),
    sessionTtlSeconds: int(env, 'SEALDESK_SESSION_TTL_SECONDS', 60, 365 * 24 * 3600),
    maxDevicesPerAccount: int(env, 'SEALDESK_MAX_DEVICES', 1, LIMITS.maxDevicesPerList),
    maxOneTimePrekeysPerDevice: int(env, 'SEALDESK_MAX_PREKEYS', 0, 10_000),
    maxBlobBytes: int(env, 'SEALDESK_MAX_BLOB_BYTES', 1024, 1024 * 1024),
    conversationsPerVisitorPerHour: int(env, 'SEALDESK_CONVERSATIONS_PER_HOUR', 1, 1_000_000),
    conversationsPerAccountPerHour: int(env, 'SEALDESK_ACCOUNT_CONVERSATIONS_PER_HOUR', 1, 100_000_000),
    loginsPerUsernamePerHour: int(env, 'SEALDESK_LOGINS_PER_HOUR', 1, 1_000_000),
    trustedProxies: int(env, 'SEALDESK_TRUSTED_PROXIES', 0, 10),
    pendingConnectionsPerAddress: int(env, 'SEALDESK_PENDING_CONNECTIONS_PER_ADDRESS', 1, 1_000_000),
    messagesPerConnectionPerSecond: int(env, 'SEALDESK_MESSAGES_PER_SECOND', 1, 1_000_000),
    teamSignalsPerConnectionPerSecond: int(env, 'SEALDESK_TEAM_SIGNALS_PER_SECOND', 1, 1_000),
    maxBufferedBytes: int(env, 'SEALDESK_MAX_BUFFERED_BYTES', 64 * 1024, 1024 * 1024 * 1024),
    heartbeatMs: int(env, 'SEALDESK_HEARTBEAT_MS', 100, 3_600_000),
    maxAttachmentBytes: int(env, 'SEALDESK_MAX_ATTACHMENT_BYTES', 1, 1024 * 1024 * 1024),
    attachmentQuotaBytesPerConversation: int(env, 'SEALDESK_ATTACHMENT_QUOTA_BYTES', 1, 64 * 1024 * 1024 * 1024),
    uploadMemoryBytes: int(env, 'SEALDESK_UPLOAD_MEMORY_BYTES', 1, 64 * 1024 * 1024 * 1024),
    logLevel: logLevel(env),
    staticDir: resolve(read(env, 'SEALDESK_STATIC_DIR')),
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    databasePoolSize: int(env, 'SEALDESK_DATABASE_POOL', 1, 1_000),
    natsUrl: url(env, 'NATS_URL', ['nats:', 'tls:']),
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']),
    busPrefix: busPrefix(env),
    clusterPollMs: int(env, 'SEALDESK_CLUSTER_POLL_MS', 50, 600_000),
    registrationsPerAddressPerHour: int(env, 'SEALDESK_REGISTRATIONS_PER_HOUR', 1, 1_000_000),
    prekeyClaimsPerAddressPerHour: int(env, 'SEALDESK_PREKEY_CLAIMS_PER_HOUR', 1, 1_000_000),
    prekeyClaimsPerDevicePerHour: int(env, 'SEALDESK_PREKEY_CLAIMS_PER_DEVICE_PER_HOUR', 1, 1_000_000),
    challengesPerAddressPerMinute: int(env, 'SEALDESK_CHALLENGES_PER_MINUTE', 1, 1_000_000),
    challengesPerDevicePerMinute: int(env, 'SEALDESK_CHALLENGES_PER_DEVICE_PER_MINUTE', 1, 1_000),
    socketsPerQueue: int(env, 'SEALDESK_SOCKETS_PER_QUEUE', 1, 10_000),
    maxQueueMessages: int(env, 'SEALDESK_MAX_QUEUE_MESSAGES', 1, 100_000_000),
    maxHistoryRecords: int(env, 'SEALDESK_MAX_HISTORY_RECORDS', 1, 100_000_000),
    headersTimeoutMs: int(env, 'SEALDESK_HEADERS_TIMEOUT_MS', 100, 600_000),
    requestTimeoutMs: int(env, 'SEALDESK_REQUEST_TIMEOUT_MS', 100, 3_600_000),
    pendingRequestsPerAddress: int(env, 'SEALDESK_PENDING_REQUESTS_PER_ADDRESS', 1, 1_000_000),
    push: pushConfig(env),
  };
}
