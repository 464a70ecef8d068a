/**
 * A Store decorator that keeps the two lookups every routed envelope needs in memory: enrolled
 * device signing keys (account, device) and conversation records (conversation -> account,
 * capability hash). Everything else goes straight to the wrapped store.
 *
 * Correctness rules:
 * - Only positive answers are cached; a miss always asks the store, so a device enrolled or a
 *   conversation created a moment ago is found at once.
 * - Every write through this decorator that can change or remove a cached answer evicts it
 *   before the write (putDevice, deleteDevice, createConversation, deleteConversation), and
 *   purge clears the conversation cache (idle conversations are deleted there).
 * - A lookup that was in flight while an eviction happened does not fill the cache (generation
 *   counter), so a stale answer read before a removal can never be cached after it.
 * - With the SQLite store this process is the only writer of the database. Several nodes on a
 *   shared store (PostgreSQL) give the cache a `maxAgeMs`: the other nodes' removals also evict
 *   through the bus (relay/bus/cluster-link.ts, forgetQueue), and an entry older than that is
 *   read again, which bounds how long a lost eviction can leave a stale answer.
 * - Both maps are bounded: past `capacity` entries the least recently used one is dropped.
 *
 * The same cache answers routing synchronously (RoutingCache): the relay's per-message path asks
 * it first and goes to the store (async) only on a miss.
 */
import type { BlockedVisitor } from './block-list.js';
import type {
  Ack,
  CommittedSend,
  AccountRecord,
  AppendResult,
  ArchiveGrantRow,
  AttachmentRecord,
  PutAttachmentOutcome,
  ConversationRecord,
  DeviceBlob,
  DeviceRole,
  HistoryPutResult,
  HistoryRecordRow,
  LimitedResult,
  NewMessage,
  PurgeCounts,
  PushSubscriptionRecord,
  QueueKey,
  SessionRecord,
  Store,
  StoredMessage,
  VersionedBlob,
  IdentityBackupRecord,
} from './store.js';
import { deviceQueue, queueOwner } from './store.js';
import { LruMap } from './lru-map.js';

export const DEFAULT_CACHE_ENTRIES = 20_000;

/** Device entries are keyed by the device's queue key, the string routing builds anyway. */
const deviceCacheKey = deviceQueue;

/** Positive answers already in memory, without a promise; undefined means "ask the store". */
export interface RoutingCache {
  /** True when the device whose queue key this is is enrolled (cached); undefined when not cached. */
  knownDeviceQueue(queue: QueueKey): true | undefined;
  /** The account of a conversation that exists (cached); undefined when not cached. */
  cachedConversationAccount(conversationId: string): string | undefined;
}

/**
 * A cached conversation: the capability hash as a one-byte string rather than a Uint8Array, whose
 * own ArrayBuffer and backing store would cost about 250 bytes more per visitor connection.
 */
interface CachedConversation {
  readonly accountId: string;
  readonly capabilityHash: string;
  readonly at: number;
}

interface CachedKey {
  readonly key: Uint8Array;
  readonly at: number;
}

export interface CacheOptions {
  /** Entries older than this are read from the store again (several nodes); default: never. */
  readonly maxAgeMs?: number;
  readonly now?: () => number;
}

export class CachedStore implements Store, RoutingCache {
  readonly #inner: Store;
  readonly #deviceKeys: LruMap<string, CachedKey>;
  readonly #conversations: LruMap<string, CachedConversation>;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  /** Bumped by every eviction; a lookup started under an older generation does not fill. */
  #generation = 0;

  constructor(inner: Store, capacity = DEFAULT_CACHE_ENTRIES, options: CacheOptions = {}) {
    this.#inner = inner;
    this.#deviceKeys = new LruMap(capacity);
    this.#conversations = new LruMap(capacity);
    this.#maxAgeMs = options.maxAgeMs ?? Infinity;
    this.#now = options.now ?? Date.now;
  }

  /** Forgets what is cached about a queue's owner (a removal on another node, relay/bus/cluster-link.ts). */
  forgetQueue(queue: QueueKey): void {
    const owner = queueOwner(queue);
    if (owner?.kind === 'device') this.#evictDevice(owner.accountId, owner.deviceId);
    if (owner?.kind === 'visitor') this.#evictConversation(owner.conversationId);
  }

  /** Forgets everything (the bus was down: removals on other nodes may have been missed). */
  forgetAll(): void {
    this.#generation += 1;
    this.#deviceKeys.clear();
    this.#conversations.clear();
  }

  /** Entries held, for tests and metrics. */
  cacheSizes(): { deviceKeys: number; conversations: number } {
    return { deviceKeys: this.#deviceKeys.size, conversations: this.#conversations.size };
  }

  // Synchronous routing answers (RoutingCache)

  knownDeviceQueue(queue: QueueKey): true | undefined {
    return this.#fresh(this.#deviceKeys.get(queue)) === undefined ? undefined : true;
  }

  cachedConversationAccount(conversationId: string): string | undefined {
    return this.#fresh(this.#conversations.get(conversationId))?.accountId;
  }

  // Cached reads

  async getDeviceKey(accountId: string, deviceId: string): Promise<Uint8Array | undefined> {
    const key = deviceCacheKey(accountId, deviceId);
    const hit = this.#fresh(this.#deviceKeys.get(key));
    if (hit !== undefined) return new Uint8Array(hit.key);
    const generation = this.#generation;
    const at = this.#now();
    const found = await this.#inner.getDeviceKey(accountId, deviceId);
    if (found !== undefined && generation === this.#generation)
      this.#deviceKeys.set(key, { key: new Uint8Array(found), at });
    return found;
  }

  async getConversation(conversationId: string): Promise<ConversationRecord | undefined> {
    const hit = this.#fresh(this.#conversations.get(conversationId));
    if (hit !== undefined)
      return {
        conversationId,
        accountId: hit.accountId,
        capabilityHash: new Uint8Array(Buffer.from(hit.capabilityHash, 'latin1')),
      };
    const generation = this.#generation;
    const at = this.#now();
    const found = await this.#inner.getConversation(conversationId);
    if (found !== undefined && generation === this.#generation) {
      this.#conversations.set(conversationId, {
        accountId: found.accountId,
        capabilityHash: Buffer.from(found.capabilityHash).toString('latin1'),
        at,
      });
    }
    return found;
  }

  // Writes that evict

  putDevice(
    accountId: string,
    deviceId: string,
    signingKey: Uint8Array,
    max: number,
    role?: DeviceRole,
  ): Promise<LimitedResult> {
    return this.#evicting(
      () => {
        this.#evictDevice(accountId, deviceId);
      },
      () => this.#inner.putDevice(accountId, deviceId, signingKey, max, role),
    );
  }

  /** Not cached: access checks read it on every request (issue #10 item 1). */
  getDeviceRole(accountId: string, deviceId: string): Promise<DeviceRole | undefined> {
    return this.#inner.getDeviceRole(accountId, deviceId);
  }

  deleteDevice(accountId: string, deviceId: string): Promise<boolean> {
    return this.#evicting(
      () => {
        this.#evictDevice(accountId, deviceId);
      },
      () => this.#inner.deleteDevice(accountId, deviceId),
    );
  }

  createConversation(conversation: ConversationRecord, now: number): Promise<boolean> {
    return this.#evicting(
      () => {
        this.#evictConversation(conversation.conversationId);
      },
      () => this.#inner.createConversation(conversation, now),
    );
  }

  deleteConversation(conversationId: string): Promise<boolean> {
    return this.#evicting(
      () => {
        this.#evictConversation(conversationId);
      },
      () => this.#inner.deleteConversation(conversationId),
    );
  }

  purge(cutoff: number, now: number): Promise<PurgeCounts> {
    // Idle conversations are deleted here: forget every cached conversation.
    return this.#evicting(
      () => {
        this.#generation += 1;
        this.#conversations.clear();
      },
      () => this.#inner.purge(cutoff, now),
    );
  }

  // Everything else is passed through

  putPushSubscription(
    accountId: string,
    deviceId: string,
    subscription: PushSubscriptionRecord,
    now: number,
  ): Promise<void> {
    return this.#inner.putPushSubscription(accountId, deviceId, subscription, now);
  }

  getPushSubscription(accountId: string, deviceId: string): Promise<PushSubscriptionRecord | undefined> {
    return this.#inner.getPushSubscription(accountId, deviceId);
  }

  deletePushSubscription(accountId: string, deviceId: string, endpoint?: string): Promise<boolean> {
    return this.#inner.deletePushSubscription(accountId, deviceId, endpoint);
  }

  createAccount(account: AccountRecord, now: number): Promise<boolean> {
    return this.#inner.createAccount(account, now);
  }

  findAccountByUsername(username: string): Promise<AccountRecord | undefined> {
    return this.#inner.findAccountByUsername(username);
  }

  accountExists(accountId: string): Promise<boolean> {
    return this.#inner.accountExists(accountId);
  }

  createSession(tokenHash: Uint8Array, session: SessionRecord): Promise<void> {
    return this.#inner.createSession(tokenHash, session);
  }

  findSession(tokenHash: Uint8Array, now: number): Promise<SessionRecord | undefined> {
    return this.#inner.findSession(tokenHash, now);
  }

  deleteSession(tokenHash: Uint8Array): Promise<void> {
    return this.#inner.deleteSession(tokenHash);
  }

  appendDeviceList(accountId: string, version: number, blob: Uint8Array, now: number): Promise<AppendResult> {
    return this.#inner.appendDeviceList(accountId, version, blob, now);
  }

  getDeviceList(accountId: string, version?: number): Promise<VersionedBlob | undefined> {
    return this.#inner.getDeviceList(accountId, version);
  }

  putBundle(accountId: string, deviceId: string, blob: Uint8Array, now: number): Promise<void> {
    return this.#inner.putBundle(accountId, deviceId, blob, now);
  }

  getBundles(accountId: string): Promise<DeviceBlob[]> {
    return this.#inner.getBundles(accountId);
  }

  addOneTimePrekeys(
    accountId: string,
    deviceId: string,
    blobs: readonly Uint8Array[],
    max: number,
  ): Promise<LimitedResult> {
    return this.#inner.addOneTimePrekeys(accountId, deviceId, blobs, max);
  }

  claimOneTimePrekey(accountId: string, deviceId: string): Promise<Uint8Array | undefined> {
    return this.#inner.claimOneTimePrekey(accountId, deviceId);
  }

  countOneTimePrekeys(accountId: string, deviceId: string): Promise<number> {
    return this.#inner.countOneTimePrekeys(accountId, deviceId);
  }

  putWidgetConfig(accountId: string, blob: Uint8Array, now: number): Promise<void> {
    return this.#inner.putWidgetConfig(accountId, blob, now);
  }

  getWidgetConfig(accountId: string): Promise<Uint8Array | undefined> {
    return this.#inner.getWidgetConfig(accountId);
  }

  putIdentityBackup(accountId: string, record: IdentityBackupRecord, now: number): Promise<boolean> {
    return this.#inner.putIdentityBackup(accountId, record, now);
  }

  getIdentityBackup(accountId: string): Promise<IdentityBackupRecord | undefined> {
    return this.#inner.getIdentityBackup(accountId);
  }

  putArchiveGrant(
    accountId: string,
    deviceId: string,
    blob: Uint8Array,
    max: number,
    now: number,
  ): Promise<LimitedResult> {
    return this.#inner.putArchiveGrant(accountId, deviceId, blob, max, now);
  }

  archiveGrants(accountId: string, deviceId: string, after: number, limit: number): Promise<ArchiveGrantRow[]> {
    return this.#inner.archiveGrants(accountId, deviceId, after, limit);
  }

  putHistoryRecord(
    accountId: string,
    author: string,
    recordId: string,
    blob: Uint8Array,
    max: number,
    now: number,
  ): Promise<HistoryPutResult> {
    return this.#inner.putHistoryRecord(accountId, author, recordId, blob, max, now);
  }

  historyRecords(accountId: string, after: number, limit: number): Promise<HistoryRecordRow[]> {
    return this.#inner.historyRecords(accountId, after, limit);
  }

  commit(messages: readonly NewMessage[], acks: readonly Ack[], now: number): Promise<CommittedSend[]> {
    return this.#inner.commit(messages, acks, now);
  }

  fetchQueue(queue: QueueKey, after: number, limit: number): Promise<StoredMessage[]> {
    return this.#inner.fetchQueue(queue, after, limit);
  }

  queueDepths(queues: readonly QueueKey[]): Promise<Map<QueueKey, number>> {
    return this.#inner.queueDepths(queues);
  }

  queueStats(): Promise<{ pendingMessages: number; queues: number; deepestQueue: number }> {
    return this.#inner.queueStats();
  }

  putAttachment(attachment: AttachmentRecord, quotaBytes: number, now: number): Promise<PutAttachmentOutcome> {
    return this.#inner.putAttachment(attachment, quotaBytes, now);
  }

  getAttachment(attachmentId: string): Promise<AttachmentRecord | undefined> {
    return this.#inner.getAttachment(attachmentId);
  }

  // Block list (block-list.ts)

  blockVisitor(accountId: string, conversationId: string, now: number): Promise<void> {
    return this.#inner.blockVisitor(accountId, conversationId, now);
  }

  unblockVisitor(accountId: string, conversationId: string): Promise<boolean> {
    return this.#inner.unblockVisitor(accountId, conversationId);
  }

  isVisitorBlocked(accountId: string, conversationId: string): Promise<boolean> {
    return this.#inner.isVisitorBlocked(accountId, conversationId);
  }

  blockedVisitors(accountId: string): Promise<BlockedVisitor[]> {
    return this.#inner.blockedVisitors(accountId);
  }

  close(): Promise<void> {
    this.#deviceKeys.clear();
    this.#conversations.clear();
    return this.#inner.close();
  }

  /**
   * Evicts before the write and again once it has finished: a lookup that ran while an async
   * store was still writing may have read the old answer, and must not leave it in the cache.
   */
  async #evicting<T>(evict: () => void, write: () => Promise<T>): Promise<T> {
    evict();
    try {
      return await write();
    } finally {
      evict();
    }
  }

  /** The entry if it was read from the store less than maxAgeMs ago. */
  #fresh<T extends { readonly at: number }>(entry: T | undefined): T | undefined {
    if (entry === undefined || this.#maxAgeMs === Infinity) return entry;
    return this.#now() - entry.at < this.#maxAgeMs ? entry : undefined;
  }

  #evictDevice(accountId: string, deviceId: string): void {
    this.#generation += 1;
    this.#deviceKeys.delete(deviceCacheKey(accountId, deviceId));
  }

  #evictConversation(conversationId: string): void {
    this.#generation += 1;
    this.#conversations.delete(conversationId);
  }
}
