/**
 * The relay's storage port. Routing, HTTP and WebSocket code talk only to this interface, so a
 * PostgreSQL implementation can be added without touching them. Every method is async for that
 * reason, even though the SQLite and in-memory implementations answer synchronously.
 *
 * Everything stored is either an opaque client blob (device lists, prekey bundles, one-time
 * prekeys, widget config, envelopes, attachments), a public key the relay checks its own access
 * control with, or a hash of a secret (session tokens, conversation capabilities). The OPAQUE
 * registration record is the only per-account login secret (RFC 9807 §6: it cannot be used to
 * test a password without running OPAQUE against the server's private key).
 *
 * Ids are 16-byte values written as lower-case hex strings at this boundary.
 */
import type { BlockListStore } from './block-list.js';

export interface AccountRecord {
  readonly accountId: string;
  readonly username: string;
  /** RFC 9807 registration record (base64url as produced by @serenity-kit/opaque). */
  readonly opaqueRecord: string;
}

export interface SessionRecord {
  readonly accountId: string;
  /** Set when the session was obtained by a device signature rather than an OPAQUE login. */
  readonly deviceId: string | null;
  readonly expiresAt: number;
}

export interface ConversationRecord {
  readonly conversationId: string;
  readonly accountId: string;
  /** SHA-256 of the visitor's capability; the capability itself is never stored. */
  readonly capabilityHash: Uint8Array;
}

export interface VersionedBlob {
  readonly version: number;
  readonly blob: Uint8Array;
}

export interface DeviceBlob {
  readonly deviceId: string;
  readonly blob: Uint8Array;
}

/** A receiver queue: one per (account, device) and one per conversation for its visitor. */
export type QueueKey = string;

export interface NewMessage {
  readonly queue: QueueKey;
  readonly conversationId: string;
  /** The encoded envelope exactly as it will be delivered. */
  readonly envelope: Uint8Array;
}

export interface StoredMessage {
  /** The delivery cursor: strictly increasing over the whole store, never reused. */
  readonly seq: number;
  readonly envelope: Uint8Array;
}

/**
 * What a commit did with one message (docs/PROTOCOL.md §16.2, `send` is idempotent): the cursor it
 * is stored under, and whether the queue had already received these exact envelope bytes within
 * the message retention (a client's resend after a lost `stored`). A resent message was neither
 * stored nor is it delivered again: `seq` is the cursor of the first copy, which may be acked and
 * deleted by now.
 */
export interface CommittedSend {
  readonly seq: number;
  readonly resent: boolean;
}

export interface Ack {
  readonly queue: QueueKey;
  /** Everything in `queue` with seq <= upTo has been received and can be deleted. */
  readonly upTo: number;
}

export type PutAttachmentOutcome = 'stored' | 'exists' | 'over-quota';

export interface AttachmentRecord {
  readonly attachmentId: string;
  readonly conversationId: string;
  readonly blob: Uint8Array;
}

export interface PurgeCounts {
  readonly messages: number;
  readonly attachments: number;
  readonly conversations: number;
  readonly sessions: number;
  /** The idle conversations deleted (`conversations` of them): their live sockets are closed. */
  readonly conversationIds: readonly string[];
}

/**
 * A device's role at the relay, given at enrolment (docs/PROTOCOL.md §16.7): what it may change
 * in the account's directory. The signed device list (§4) stays the clients' source of truth.
 */
export const DEVICE_ROLES = ['owner', 'admin', 'agent'] as const;
export type DeviceRole = (typeof DEVICE_ROLES)[number];

/**
 * The AIK backup of an account (docs/PROTOCOL.md §11.2, §16.8): the sealed blob, the account key
 * that signed the upload, and that signature. The relay checks the signature for its own access
 * control; the client that restores it checks everything again (AEAD and signature).
 */
export interface IdentityBackupRecord {
  readonly backup: Uint8Array;
  readonly accountKey: Uint8Array;
  readonly signature: Uint8Array;
}

/**
 * A device's Web Push subscription (issue #15 item 4; docs/PROTOCOL.md §16.9): where the relay
 * sends its content-free wake-up (RFC 8030) and the keys it encrypts it to (RFC 8291).
 */
export interface PushSubscriptionRecord {
  /** The push service's endpoint URL for this subscription (https; loopback http only in tests). */
  readonly endpoint: string;
  /** The subscription's P-256 public key, 65 bytes uncompressed (RFC 8291 `ua_public`). */
  readonly p256dh: Uint8Array;
  /** The subscription's 16-byte authentication secret (RFC 8291 `auth_secret`). */
  readonly auth: Uint8Array;
}

/** An archive-key grant (PROTOCOL §9.4) waiting for its device, with the cursor a reader pages by. */
export interface ArchiveGrantRow {
  readonly seq: number;
  readonly blob: Uint8Array;
}

/** A history record (PROTOCOL §9.2) as stored: its slot (author device, record id in hex) and cursor. */
export interface HistoryRecordRow {
  readonly seq: number;
  readonly author: string;
  readonly recordId: string;
  readonly blob: Uint8Array;
}

/** `taken`: the author wrote this record id already (records are write-once); `full`: the account's cap. */
export type HistoryPutResult = 'stored' | 'taken' | 'full';

export type AppendResult = { readonly ok: true } | { readonly ok: false; readonly latest: number };
export type LimitedResult =
  { readonly ok: true; readonly count: number } | { readonly ok: false; readonly count: number };

/** The block list's methods are declared in block-list.ts (issue #15 item 6). */
export interface Store extends BlockListStore {
  // Accounts and sessions
  /** False when the username is taken. */
  createAccount(account: AccountRecord, now: number): Promise<boolean>;
  findAccountByUsername(username: string): Promise<AccountRecord | undefined>;
  accountExists(accountId: string): Promise<boolean>;
  createSession(tokenHash: Uint8Array, session: SessionRecord): Promise<void>;
  /** The session for a token hash, if it exists and has not expired at `now`. */
  findSession(tokenHash: Uint8Array, now: number): Promise<SessionRecord | undefined>;
  /** Ends one session (a device session that raced a re-key of its device, issue #10 item 2). */
  deleteSession(tokenHash: Uint8Array): Promise<void>;

  // Devices the relay authenticates (their Ed25519 public keys, raw 32 bytes)
  /**
   * Adds or replaces a device with its role (default `owner`); refused (ok false) when the account
   * already has `max` other devices. A new signing key for a known device revokes the device's
   * sessions in the same transaction (issue #10 item 2).
   */
  putDevice(
    accountId: string,
    deviceId: string,
    signingKey: Uint8Array,
    max: number,
    role?: DeviceRole,
  ): Promise<LimitedResult>;
  getDeviceKey(accountId: string, deviceId: string): Promise<Uint8Array | undefined>;
  /** The role of an enrolled device; undefined when the device is not enrolled. */
  getDeviceRole(accountId: string, deviceId: string): Promise<DeviceRole | undefined>;
  /**
   * Removes the device, its role, its sessions, its bundle, its one-time prekeys, its push
   * subscription, its queue and its archive grants.
   */
  deleteDevice(accountId: string, deviceId: string): Promise<boolean>;

  // Web Push (one subscription per device; removed with the device)
  /** Adds or replaces the device's subscription. */
  putPushSubscription(
    accountId: string,
    deviceId: string,
    subscription: PushSubscriptionRecord,
    now: number,
  ): Promise<void>;
  getPushSubscription(accountId: string, deviceId: string): Promise<PushSubscriptionRecord | undefined>;
  /**
   * Deletes the device's subscription; with `endpoint`, only while it is still that one (a push
   * service's 410 for an old endpoint must not delete the subscription that replaced it).
   */
  deletePushSubscription(accountId: string, deviceId: string, endpoint?: string): Promise<boolean>;

  // Key directory
  /** Append-only: accepted only when `version` is the latest + 1 (1 for the first list). */
  appendDeviceList(accountId: string, version: number, blob: Uint8Array, now: number): Promise<AppendResult>;
  /** The given version, or the latest when `version` is undefined. */
  getDeviceList(accountId: string, version?: number): Promise<VersionedBlob | undefined>;
  putBundle(accountId: string, deviceId: string, blob: Uint8Array, now: number): Promise<void>;
  getBundles(accountId: string): Promise<DeviceBlob[]>;
  /** Adds prekeys unless the device would then hold more than `max` (then nothing is added). */
  addOneTimePrekeys(
    accountId: string,
    deviceId: string,
    blobs: readonly Uint8Array[],
    max: number,
  ): Promise<LimitedResult>;
  /** Removes and returns one prekey in a single transaction: each is handed out at most once. */
  claimOneTimePrekey(accountId: string, deviceId: string): Promise<Uint8Array | undefined>;
  countOneTimePrekeys(accountId: string, deviceId: string): Promise<number>;
  putWidgetConfig(accountId: string, blob: Uint8Array, now: number): Promise<void>;
  getWidgetConfig(accountId: string): Promise<Uint8Array | undefined>;
  /**
   * Stores the account's AIK backup when it has none, or replaces it when the stored one has the
   * same `accountKey`; false (and nothing changed) when another account key holds the slot.
   */
  putIdentityBackup(accountId: string, record: IdentityBackupRecord, now: number): Promise<boolean>;
  getIdentityBackup(accountId: string): Promise<IdentityBackupRecord | undefined>;

  // Inbox archive (PROTOCOL §9): opaque sealed grants per device, authored history records per account
  /** Appends a grant for an enrolled device unless it would then hold more than `max` (then nothing is added). */
  putArchiveGrant(
    accountId: string,
    deviceId: string,
    blob: Uint8Array,
    max: number,
    now: number,
  ): Promise<LimitedResult>;
  /** The device's grants with seq > after, oldest first, at most `limit`. */
  archiveGrants(accountId: string, deviceId: string, after: number, limit: number): Promise<ArchiveGrantRow[]>;
  /** Appends a record in the slot (author, recordId), write-once, unless the account holds `max` already. */
  putHistoryRecord(
    accountId: string,
    author: string,
    recordId: string,
    blob: Uint8Array,
    max: number,
    now: number,
  ): Promise<HistoryPutResult>;
  /** The account's records with seq > after, oldest first, at most `limit`. */
  historyRecords(accountId: string, after: number, limit: number): Promise<HistoryRecordRow[]>;

  // Conversations and delivery
  /** False (and nothing changed) when the conversation id exists already. */
  createConversation(conversation: ConversationRecord, now: number): Promise<boolean>;
  getConversation(conversationId: string): Promise<ConversationRecord | undefined>;
  /** Deletes the conversation, every stored envelope of it and its attachments. */
  deleteConversation(conversationId: string): Promise<boolean>;
  /**
   * One transaction for a whole batch: appends the messages (returning their cursors in order) and
   * applies the acks. Nothing is acknowledged to a sender before this resolves. A message whose
   * (queue, envelope bytes) the store received before, within retention (also earlier in the same
   * batch, also after its ack deleted it), is not appended again: it answers the first cursor with
   * `resent` (§16.2; the record of it, keyed by sendDigest, expires with `purge`).
   */
  commit(messages: readonly NewMessage[], acks: readonly Ack[], now: number): Promise<CommittedSend[]>;
  /** Messages of `queue` with seq > after, oldest first, at most `limit`. */
  fetchQueue(queue: QueueKey, after: number, limit: number): Promise<StoredMessage[]>;
  queueStats(): Promise<{ pendingMessages: number; queues: number; deepestQueue: number }>;
  /** How many messages each queue holds now (0 for a queue the store has never seen; issue #10 item 5). */
  queueDepths(queues: readonly QueueKey[]): Promise<Map<QueueKey, number>>;

  // Attachments
  /**
   * Stores the blob unless its id is taken (in any conversation: never overwritten) or the
   * conversation would then hold more than `quotaBytes`; decided atomically, so two uploads racing
   * for one id store one blob and answer the other 'exists'.
   */
  putAttachment(attachment: AttachmentRecord, quotaBytes: number, now: number): Promise<PutAttachmentOutcome>;
  getAttachment(attachmentId: string): Promise<AttachmentRecord | undefined>;

  // Retention
  /**
   * Deletes messages, the records of sends (resend detection, `commit`), attachments and idle
   * conversations older than `cutoff`, and sessions expired at `now`.
   */
  purge(cutoff: number, now: number): Promise<PurgeCounts>;
  close(): Promise<void>;
}

export function deviceQueue(accountId: string, deviceId: string): QueueKey {
  return `d:${accountId}:${deviceId}`;
}

export function visitorQueue(conversationId: string): QueueKey {
  return `v:${conversationId}`;
}

/**
 * A committed message's cursor and the cursor of the message before it in its queue (0: none); for a
 * resent one (nothing appended) `previous` is 0 and means nothing.
 */
export interface ChainedSeq extends CommittedSend {
  readonly previous: number;
}

/** A receiver queue as the store sees it now: its newest cursor (0: none) and whether its owner exists. */
export interface QueueHead {
  readonly head: number;
  /** False once the device or conversation the queue belongs to is gone. */
  readonly live: boolean;
}

/**
 * A store that several relay nodes share (PostgreSQL, relay/store/pg-store.ts). The relay's
 * per-queue ordering rests on one more guarantee than `Store` gives: a message's cursor is
 * assigned, and it commits, only after every earlier message of its queue has committed. So a node
 * that has delivered a queue up to `previous` can deliver the message at once; otherwise it
 * fetches the gap from the store first (relay/bus/cluster-link.ts, relay/ws/connection.ts).
 */
export interface SharedStore extends Store {
  /** `commit`, with each message's predecessor in its queue. */
  commitChained(messages: readonly NewMessage[], acks: readonly Ack[], now: number): Promise<ChainedSeq[]>;
  /** The current head of each queue asked for (queues the store has never seen: head 0). */
  queueHeads(queues: readonly QueueKey[]): Promise<Map<QueueKey, QueueHead>>;
  /** Keeps `value` under (kind, key) until `expiresAt` (login states and challenges between two requests). */
  putSingleUse(kind: string, key: string, value: Uint8Array, expiresAt: number): Promise<void>;
  /** Removes and returns the value under (kind, key) if it has not expired at `now`; at most once. */
  takeSingleUse(kind: string, key: string, now: number): Promise<Uint8Array | undefined>;
  /**
   * Records the fingerprint of the OPAQUE server setup on first use; true when it matches the one
   * recorded (every node must use the same setup, or logins fail on the nodes that differ).
   */
  claimSetupFingerprint(fingerprint: string): Promise<boolean>;
}

/** Whose queue a key is (the inverse of deviceQueue and visitorQueue); undefined for anything else. */
export function queueOwner(
  queue: QueueKey,
):
  | { readonly kind: 'device'; readonly accountId: string; readonly deviceId: string }
  | { readonly kind: 'visitor'; readonly conversationId: string }
  | undefined {
  const parts = queue.split(':');
  if (parts[0] === 'd' && parts.length === 3 && parts[1] !== undefined && parts[2] !== undefined)
    return { kind: 'device', accountId: parts[1], deviceId: parts[2] };
  if (parts[0] === 'v' && parts.length === 2 && parts[1] !== undefined)
    return { kind: 'visitor', conversationId: parts[1] };
  return undefined;
}
