/**
 * In-memory Store for unit tests. Same contract as the SQLite store (test/relay/store-contract.ts
 * runs against both); nothing survives the process.
 */
import { MemoryArchive } from './memory-archive.js';
import type {
  Ack,
  AccountRecord,
  CommittedSend,
  AppendResult,
  ArchiveGrantRow,
  HistoryPutResult,
  HistoryRecordRow,
  AttachmentRecord,
  PutAttachmentOutcome,
  ConversationRecord,
  DeviceBlob,
  DeviceRole,
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
import { deviceQueue, visitorQueue } from './store.js';
import { type BlockedVisitor, MemoryBlockList } from './block-list.js';
import { sendDigest } from './send-digest.js';

interface Timed<T> {
  readonly value: T;
  readonly at: number;
}
interface MessageRow extends StoredMessage {
  readonly conversationId: string;
  readonly at: number;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));
const deviceKey = (accountId: string, deviceId: string): string => `${accountId}:${deviceId}`;

export class MemoryStore implements Store {
  readonly #accounts = new Map<string, AccountRecord>();
  readonly #sessions = new Map<string, SessionRecord>();
  readonly #devices = new Map<string, Map<string, { key: Uint8Array; role: DeviceRole }>>();
  readonly #lists = new Map<string, Uint8Array[]>();
  readonly #bundles = new Map<string, Map<string, Uint8Array>>();
  readonly #prekeys = new Map<string, Uint8Array[]>();
  readonly #widget = new Map<string, Uint8Array>();
  readonly #backups = new Map<string, IdentityBackupRecord>();
  readonly #push = new Map<string, PushSubscriptionRecord>();
  readonly #conversations = new Map<string, { record: ConversationRecord; lastActive: number }>();
  readonly #queues = new Map<QueueKey, MessageRow[]>();
  readonly #attachments = new Map<string, Timed<AttachmentRecord>>();
  readonly #archive = new MemoryArchive();
  readonly #blocks = new MemoryBlockList();
  /** Every send within retention by sendDigest (hex): its cursor and time (PROTOCOL §16.2). */
  readonly #sent = new Map<string, { readonly seq: number; readonly at: number }>();
  #seq = 0;

  createAccount(account: AccountRecord): Promise<boolean> {
    if (this.#accounts.has(account.username)) return Promise.resolve(false);
    this.#accounts.set(account.username, { ...account });
    return Promise.resolve(true);
  }

  findAccountByUsername(username: string): Promise<AccountRecord | undefined> {
    return Promise.resolve(this.#accounts.get(username));
  }

  accountExists(accountId: string): Promise<boolean> {
    return Promise.resolve([...this.#accounts.values()].some((a) => a.accountId === accountId));
  }

  createSession(tokenHash: Uint8Array, session: SessionRecord): Promise<void> {
    this.#sessions.set(hex(tokenHash), { ...session });
    return Promise.resolve();
  }

  findSession(tokenHash: Uint8Array, now: number): Promise<SessionRecord | undefined> {
    const s = this.#sessions.get(hex(tokenHash));
    return Promise.resolve(s !== undefined && s.expiresAt > now ? s : undefined);
  }

  deleteSession(tokenHash: Uint8Array): Promise<void> {
    this.#sessions.delete(hex(tokenHash));
    return Promise.resolve();
  }

  putDevice(
    accountId: string,
    deviceId: string,
    signingKey: Uint8Array,
    max: number,
    role: DeviceRole = 'owner',
  ): Promise<LimitedResult> {
    const devices = this.#devices.get(accountId) ?? new Map<string, { key: Uint8Array; role: DeviceRole }>();
    const old = devices.get(deviceId);
    if (old === undefined && devices.size >= max) return Promise.resolve({ ok: false, count: devices.size });
    if (old !== undefined && !sameBytes(old.key, signingKey)) this.#revokeSessions(accountId, deviceId);
    devices.set(deviceId, { key: signingKey.slice(), role });
    this.#devices.set(accountId, devices);
    return Promise.resolve({ ok: true, count: devices.size });
  }

  getDeviceKey(accountId: string, deviceId: string): Promise<Uint8Array | undefined> {
    return Promise.resolve(this.#devices.get(accountId)?.get(deviceId)?.key);
  }

  getDeviceRole(accountId: string, deviceId: string): Promise<DeviceRole | undefined> {
    return Promise.resolve(this.#devices.get(accountId)?.get(deviceId)?.role);
  }

  #revokeSessions(accountId: string, deviceId: string): void {
    for (const [hash, s] of this.#sessions)
      if (s.accountId === accountId && s.deviceId === deviceId) this.#sessions.delete(hash);
  }

  deleteDevice(accountId: string, deviceId: string): Promise<boolean> {
    const existed = this.#devices.get(accountId)?.delete(deviceId) ?? false;
    this.#revokeSessions(accountId, deviceId);
    this.#bundles.get(accountId)?.delete(deviceId);
    this.#prekeys.delete(deviceKey(accountId, deviceId));
    this.#push.delete(deviceKey(accountId, deviceId));
    this.#queues.delete(deviceQueue(accountId, deviceId));
    this.#archive.forgetDevice(accountId, deviceId);
    return Promise.resolve(existed);
  }

  putPushSubscription(accountId: string, deviceId: string, subscription: PushSubscriptionRecord): Promise<void> {
    const { endpoint, p256dh, auth } = subscription;
    this.#push.set(deviceKey(accountId, deviceId), { endpoint, p256dh: p256dh.slice(), auth: auth.slice() });
    return Promise.resolve();
  }

  getPushSubscription(accountId: string, deviceId: string): Promise<PushSubscriptionRecord | undefined> {
    return Promise.resolve(this.#push.get(deviceKey(accountId, deviceId)));
  }

  deletePushSubscription(accountId: string, deviceId: string, endpoint?: string): Promise<boolean> {
    const key = deviceKey(accountId, deviceId);
    const current = this.#push.get(key);
    if (current === undefined || (endpoint !== undefined && current.endpoint !== endpoint))
      return Promise.resolve(false);
    return Promise.resolve(this.#push.delete(key));
  }

  appendDeviceList(accountId: string, version: number, blob: Uint8Array): Promise<AppendResult> {
    const lists = this.#lists.get(accountId) ?? [];
    if (version !== lists.length + 1) return Promise.resolve({ ok: false, latest: lists.length });
    lists.push(blob.slice());
    this.#lists.set(accountId, lists);
    return Promise.resolve({ ok: true });
  }

  getDeviceList(accountId: string, version?: number): Promise<VersionedBlob | undefined> {
    const lists = this.#lists.get(accountId) ?? [];
    const v = version ?? lists.length;
    const blob = lists[v - 1];
    return Promise.resolve(blob === undefined ? undefined : { version: v, blob });
  }

  putBundle(accountId: string, deviceId: string, blob: Uint8Array): Promise<void> {
    const bundles = this.#bundles.get(accountId) ?? new Map<string, Uint8Array>();
    bundles.set(deviceId, blob.slice());
    this.#bundles.set(accountId, bundles);
    return Promise.resolve();
  }

  getBundles(accountId: string): Promise<DeviceBlob[]> {
    const bundles = [...(this.#bundles.get(accountId) ?? new Map<string, Uint8Array>())];
    bundles.sort(([a], [b]) => (a < b ? -1 : 1));
    return Promise.resolve(bundles.map(([deviceId, blob]) => ({ deviceId, blob })));
  }

  addOneTimePrekeys(
    accountId: string,
    deviceId: string,
    blobs: readonly Uint8Array[],
    max: number,
  ): Promise<LimitedResult> {
    const key = deviceKey(accountId, deviceId);
    const list = this.#prekeys.get(key) ?? [];
    if (list.length + blobs.length > max) return Promise.resolve({ ok: false, count: list.length });
    list.push(...blobs.map((b) => b.slice()));
    this.#prekeys.set(key, list);
    return Promise.resolve({ ok: true, count: list.length });
  }

  claimOneTimePrekey(accountId: string, deviceId: string): Promise<Uint8Array | undefined> {
    return Promise.resolve(this.#prekeys.get(deviceKey(accountId, deviceId))?.shift());
  }

  countOneTimePrekeys(accountId: string, deviceId: string): Promise<number> {
    return Promise.resolve(this.#prekeys.get(deviceKey(accountId, deviceId))?.length ?? 0);
  }

  putWidgetConfig(accountId: string, blob: Uint8Array): Promise<void> {
    this.#widget.set(accountId, blob.slice());
    return Promise.resolve();
  }

  getWidgetConfig(accountId: string): Promise<Uint8Array | undefined> {
    return Promise.resolve(this.#widget.get(accountId));
  }

  putIdentityBackup(accountId: string, record: IdentityBackupRecord): Promise<boolean> {
    const held = this.#backups.get(accountId);
    if (held !== undefined && !sameBytes(held.accountKey, record.accountKey)) return Promise.resolve(false);
    this.#backups.set(accountId, {
      backup: record.backup.slice(),
      accountKey: record.accountKey.slice(),
      signature: record.signature.slice(),
    });
    return Promise.resolve(true);
  }

  getIdentityBackup(accountId: string): Promise<IdentityBackupRecord | undefined> {
    return Promise.resolve(this.#backups.get(accountId));
  }

  putArchiveGrant(accountId: string, deviceId: string, blob: Uint8Array, max: number): Promise<LimitedResult> {
    return Promise.resolve(this.#archive.putGrant(accountId, deviceId, blob, max));
  }

  archiveGrants(accountId: string, deviceId: string, after: number, limit: number): Promise<ArchiveGrantRow[]> {
    return Promise.resolve(this.#archive.grants(accountId, deviceId, after, limit));
  }

  putHistoryRecord(
    accountId: string,
    author: string,
    recordId: string,
    blob: Uint8Array,
    max: number,
  ): Promise<HistoryPutResult> {
    return Promise.resolve(this.#archive.putRecord(accountId, author, recordId, blob, max));
  }

  historyRecords(accountId: string, after: number, limit: number): Promise<HistoryRecordRow[]> {
    return Promise.resolve(this.#archive.records(accountId, after, limit));
  }

  createConversation(conversation: ConversationRecord, now: number): Promise<boolean> {
    if (this.#conversations.has(conversation.conversationId)) return Promise.resolve(false);
    this.#conversations.set(conversation.conversationId, { record: { ...conversation }, lastActive: now });
    return Promise.resolve(true);
  }

  getConversation(conversationId: string): Promise<ConversationRecord | undefined> {
    return Promise.resolve(this.#conversations.get(conversationId)?.record);
  }

  deleteConversation(conversationId: string): Promise<boolean> {
    const existed = this.#conversations.delete(conversationId);
    this.#dropConversationData(conversationId);
    return Promise.resolve(existed);
  }

  commit(messages: readonly NewMessage[], acks: readonly Ack[], now: number): Promise<CommittedSend[]> {
    const committed = messages.map((m): CommittedSend => {
      // §16.2: the same bytes into the same queue again (a resend) answer the first cursor.
      const digest = sendDigest(m.queue, m.envelope).toString('hex');
      const earlier = this.#sent.get(digest);
      if (earlier !== undefined) return { seq: earlier.seq, resent: true };
      this.#seq += 1;
      this.#sent.set(digest, { seq: this.#seq, at: now });
      const queue = this.#queues.get(m.queue) ?? [];
      queue.push({ seq: this.#seq, envelope: m.envelope.slice(), conversationId: m.conversationId, at: now });
      this.#queues.set(m.queue, queue);
      const conversation = this.#conversations.get(m.conversationId);
      if (conversation !== undefined) conversation.lastActive = now;
      return { seq: this.#seq, resent: false };
    });
    for (const ack of acks) {
      const queue = this.#queues.get(ack.queue);
      if (queue === undefined) continue;
      const left = queue.filter((m) => m.seq > ack.upTo);
      if (left.length === 0) this.#queues.delete(ack.queue);
      else this.#queues.set(ack.queue, left);
    }
    return Promise.resolve(committed);
  }

  queueDepths(queues: readonly QueueKey[]): Promise<Map<QueueKey, number>> {
    return Promise.resolve(new Map(queues.map((q) => [q, this.#queues.get(q)?.length ?? 0])));
  }

  fetchQueue(queue: QueueKey, after: number, limit: number): Promise<StoredMessage[]> {
    const rows = (this.#queues.get(queue) ?? []).filter((m) => m.seq > after).slice(0, limit);
    return Promise.resolve(rows.map(({ seq, envelope }) => ({ seq, envelope })));
  }

  queueStats(): Promise<{ pendingMessages: number; queues: number; deepestQueue: number }> {
    let pendingMessages = 0;
    let deepestQueue = 0;
    for (const q of this.#queues.values()) {
      pendingMessages += q.length;
      deepestQueue = Math.max(deepestQueue, q.length);
    }
    return Promise.resolve({ pendingMessages, queues: this.#queues.size, deepestQueue });
  }

  putAttachment(attachment: AttachmentRecord, quotaBytes: number, now: number): Promise<PutAttachmentOutcome> {
    if (this.#attachments.has(attachment.attachmentId)) return Promise.resolve('exists');
    let used = 0;
    for (const a of this.#attachments.values()) {
      if (a.value.conversationId === attachment.conversationId) used += a.value.blob.length;
    }
    if (used + attachment.blob.length > quotaBytes) return Promise.resolve('over-quota');
    this.#attachments.set(attachment.attachmentId, {
      value: { ...attachment, blob: attachment.blob.slice() },
      at: now,
    });
    return Promise.resolve('stored');
  }

  getAttachment(attachmentId: string): Promise<AttachmentRecord | undefined> {
    return Promise.resolve(this.#attachments.get(attachmentId)?.value);
  }

  purge(cutoff: number, now: number): Promise<PurgeCounts> {
    let messages = 0;
    for (const [key, queue] of this.#queues) {
      const left = queue.filter((m) => m.at >= cutoff);
      messages += queue.length - left.length;
      if (left.length === 0) this.#queues.delete(key);
      else this.#queues.set(key, left);
    }
    for (const [digest, sent] of this.#sent) if (sent.at < cutoff) this.#sent.delete(digest);
    let attachments = 0;
    for (const [id, a] of this.#attachments) {
      if (a.at < cutoff) {
        this.#attachments.delete(id);
        attachments += 1;
      }
    }
    const conversationIds: string[] = [];
    for (const [id, c] of this.#conversations) {
      if (c.lastActive < cutoff) {
        this.#conversations.delete(id);
        const before = this.#attachments.size;
        this.#dropConversationData(id);
        attachments += before - this.#attachments.size;
        conversationIds.push(id);
      }
    }
    let sessions = 0;
    for (const [key, s] of this.#sessions) {
      if (s.expiresAt <= now) {
        this.#sessions.delete(key);
        sessions += 1;
      }
    }
    return Promise.resolve({ messages, attachments, conversations: conversationIds.length, sessions, conversationIds });
  }

  // Block list (block-list.ts)

  blockVisitor(accountId: string, conversationId: string, now: number): Promise<void> {
    return this.#blocks.blockVisitor(accountId, conversationId, now);
  }

  unblockVisitor(accountId: string, conversationId: string): Promise<boolean> {
    return this.#blocks.unblockVisitor(accountId, conversationId);
  }

  isVisitorBlocked(accountId: string, conversationId: string): Promise<boolean> {
    return this.#blocks.isVisitorBlocked(accountId, conversationId);
  }

  blockedVisitors(accountId: string): Promise<BlockedVisitor[]> {
    return this.#blocks.blockedVisitors(accountId);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  #dropConversationData(conversationId: string): void {
    this.#queues.delete(visitorQueue(conversationId));
    for (const [key, queue] of this.#queues) {
      const left = queue.filter((m) => m.conversationId !== conversationId);
      if (left.length === 0) this.#queues.delete(key);
      else if (left.length !== queue.length) this.#queues.set(key, left);
    }
    for (const [id, a] of this.#attachments) {
      if (a.value.conversationId === conversationId) this.#attachments.delete(id);
    }
  }
}
