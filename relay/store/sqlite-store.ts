/**
 * The default Store: one SQLite file (better-sqlite3, WAL, prepared statements). Writes of a whole
 * event-loop tick go through `commit` as one transaction; one-time prekeys are claimed by a single
 * DELETE ... RETURNING, so no prekey can be handed out twice.
 *
 * Durability: the connection runs at synchronous=NORMAL for good (no per-transaction pragmas), and
 * every write that must be durable before it is answered fsyncs the WAL on the thread pool before
 * its promise resolves (sqlite-wal-sync.ts); only ack-only batches skip that (see commit).
 * Checkpoints run in a worker thread (sqlite-checkpointer.ts), not inside a commit.
 */
import Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import type {
  Ack,
  AccountRecord,
  AppendResult,
  ArchiveGrantRow,
  AttachmentRecord,
  CommittedSend,
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
import { deviceQueue, visitorQueue } from './store.js';
import { openSchema } from './sqlite-migration.js';
import { conversationKey } from './sqlite-keys.js';
import { sendDigest } from './send-digest.js';
import { WalSync } from './sqlite-wal-sync.js';
import { Checkpointer, type CheckpointerOptions } from './sqlite-checkpointer.js';
import { LruMap } from './lru-map.js';
import { CursorFloor, type FloorJump } from './sqlite-cursor-floor.js';
import { QueueIds, type QueueIdBatch } from './sqlite-queue-ids.js';
import { SqliteDeviceRoles } from './sqlite-device-roles.js';
import { SqliteIdentityBackups } from './sqlite-identity-backups.js';
import { SqlitePushSubscriptions } from './sqlite-push-subscriptions.js';
import { SqliteArchive } from './sqlite-archive.js';
import { SqliteBlockList } from './sqlite-block-list.js';
import type { BlockedVisitor } from './block-list.js';

const bytes = (value: unknown): Uint8Array => new Uint8Array(value as Buffer);
const num = (value: unknown): number => Number(value);

type Row = Readonly<Record<string, unknown>>;

export interface SqliteStoreOptions {
  readonly checkpointer?: CheckpointerOptions;
  /** Called once if the checkpoint worker fails (default: one JSON line on stderr). */
  readonly onCheckpointerFailure?: (error: Error) => void;
  /** Run PRAGMA quick_check when opening (default true); throws StoreIntegrityError on damage. */
  readonly quickCheck?: boolean;
  /** The cursor floor file (sqlite-cursor-floor.ts; default `<path>.cursor-floor`). */
  readonly cursorFloorPath?: string;
  /** Called at open when cursors move past the floor (default: one JSON line on stderr). */
  readonly onCursorFloorJump?: (jump: FloorJump) => void;
}

/** `PRAGMA quick_check` found damage: its first lines (issue #10 item 11). */
export class StoreIntegrityError extends Error {}

/** Lines of quick_check's report kept in the error. */
const QUICK_CHECK_LINES = 3;

/**
 * PRAGMA quick_check: every page, record and free-list entry is checked (it reads the whole file),
 * without the index-content comparison of integrity_check. A damaged database is refused before
 * anything is served from it or written to it.
 */
function quickCheck(db: Database.Database): void {
  let rows: Row[];
  try {
    rows = db.pragma(`quick_check(${String(QUICK_CHECK_LINES)})`, { simple: false }) as Row[];
  } catch (error) {
    // Damage that stops the check itself (a broken schema page, a bad header).
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB'))
      throw new StoreIntegrityError(`${code}: ${error instanceof Error ? error.message : ''}`, { cause: error });
    throw error;
  }
  const lines = rows.map((r) => String(r['quick_check']));
  if (lines.length === 1 && lines[0] === 'ok') return;
  // One line: a report can hold line breaks ("*** in database main ***\nTree 32 page 32: ...").
  throw new StoreIntegrityError(
    lines
      .join('; ')
      .replace(/\s*\n\s*/g, ' ')
      .slice(0, 300),
  );
}

/** SQLite's own default, used again on the store's connection if the checkpoint worker fails. */
const FALLBACK_AUTOCHECKPOINT_PAGES = 1000;

const reportCheckpointerFailure = (error: Error): void => {
  console.error(
    JSON.stringify({
      time: new Date().toISOString(),
      level: 'error',
      event: 'store.checkpointer-failed',
      error: error.message,
    }),
  );
};

const reportFloorJump = (jump: FloorJump): void => {
  console.error(
    JSON.stringify({ time: new Date().toISOString(), level: 'warn', event: 'store.cursor-floor-used', ...jump }),
  );
};

function walHasFrames(path: string): boolean {
  try {
    return statSync(`${path}-wal`).size > 0;
  } catch {
    return false;
  }
}

/**
 * conversations.last_active only decides retention (idle for retentionSeconds, at least 60 s):
 * it is written at most once per this interval per conversation, not once per message.
 */
export const TOUCH_INTERVAL_MS = 1_000;
/** Expired messages deleted per retention transaction (about 4 ms of event loop each). */
export const PURGE_CHUNK_ROWS = 2_000;
const TOUCH_MEMORY_ENTRIES = 20_000;

export class SqliteStore implements Store {
  readonly #db: Database.Database;
  readonly #s;
  readonly #wal: WalSync;
  readonly #checkpointer: Checkpointer;
  readonly #queues: QueueIds;
  readonly #floor: CursorFloor;
  /** When each recently active conversation's last_active was last written (see TOUCH_INTERVAL_MS). */
  readonly #touched = new LruMap<string, number>(TOUCH_MEMORY_ENTRIES);
  /** The next cursor; meta.next_seq is at least this after every committed batch. */
  #nextSeq: number;
  /** created_at of the newest message: created_at never decreases in seq (purge relies on it). */
  #lastCreated: number;
  #closing: Promise<void> | undefined;
  readonly #roles: SqliteDeviceRoles;
  readonly #backups: SqliteIdentityBackups;
  readonly #push: SqlitePushSubscriptions;
  readonly #archive: SqliteArchive;
  readonly #blocks: SqliteBlockList;

  constructor(path: string, options: SqliteStoreOptions = {}) {
    // Before the database is opened: opening it creates the WAL file.
    const walPresent = walHasFrames(path);
    this.#db = new Database(path);
    try {
      this.#db.pragma('journal_mode = WAL');
      if (options.quickCheck !== false) quickCheck(this.#db);
      this.#db.pragma('synchronous = NORMAL');
      this.#db.pragma('wal_autocheckpoint = 0');
      this.#db.pragma('foreign_keys = ON');
      this.#db.pragma('busy_timeout = 5000');
      openSchema(this.#db);
      // openSchema has read the database, which in WAL mode opens (creates) the -wal file.
      this.#wal = new WalSync(`${path}-wal`);
    } catch (error) {
      // Nothing stays open after a failed start (issue #10, "Also").
      this.#db.close();
      throw error;
    }
    const db = this.#db;
    this.#s = {
      insertAccount: db.prepare(
        'INSERT OR IGNORE INTO accounts (account_id, username, opaque_record, created_at) VALUES (?, ?, ?, ?)',
      ),
      accountByName: db.prepare('SELECT account_id, username, opaque_record FROM accounts WHERE username = ?'),
      accountExists: db.prepare('SELECT 1 FROM accounts WHERE account_id = ?'),
      accountCount: db.prepare('SELECT count(*) AS n FROM accounts'),
      insertSession: db.prepare(
        'INSERT INTO sessions (token_hash, account_id, device_id, expires_at) VALUES (?, ?, ?, ?)',
      ),
      session: db.prepare(
        'SELECT account_id, device_id, expires_at FROM sessions WHERE token_hash = ? AND expires_at > ?',
      ),
      deviceCount: db.prepare('SELECT count(*) AS n FROM devices WHERE account_id = ?'),
      deviceKey: db.prepare('SELECT signing_key FROM devices WHERE account_id = ? AND device_id = ?'),
      upsertDevice: db.prepare(
        'INSERT INTO devices (account_id, device_id, signing_key) VALUES (?, ?, ?) ON CONFLICT (account_id, device_id) DO UPDATE SET signing_key = excluded.signing_key',
      ),
      deleteDevice: db.prepare('DELETE FROM devices WHERE account_id = ? AND device_id = ?'),
      deleteBundle: db.prepare('DELETE FROM bundles WHERE account_id = ? AND device_id = ?'),
      deletePrekeys: db.prepare('DELETE FROM one_time_prekeys WHERE account_id = ? AND device_id = ?'),
      deleteQueue: db.prepare('DELETE FROM messages WHERE queue_id = ?'),
      latestList: db.prepare(
        'SELECT version, blob FROM device_lists WHERE account_id = ? ORDER BY version DESC LIMIT 1',
      ),
      listAt: db.prepare('SELECT version, blob FROM device_lists WHERE account_id = ? AND version = ?'),
      insertList: db.prepare('INSERT INTO device_lists (account_id, version, blob, created_at) VALUES (?, ?, ?, ?)'),
      upsertBundle: db.prepare(
        'INSERT INTO bundles (account_id, device_id, blob, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (account_id, device_id) DO UPDATE SET blob = excluded.blob, updated_at = excluded.updated_at',
      ),
      bundles: db.prepare('SELECT device_id, blob FROM bundles WHERE account_id = ? ORDER BY device_id'),
      prekeyCount: db.prepare('SELECT count(*) AS n FROM one_time_prekeys WHERE account_id = ? AND device_id = ?'),
      insertPrekey: db.prepare('INSERT INTO one_time_prekeys (account_id, device_id, blob) VALUES (?, ?, ?)'),
      claimPrekey: db.prepare(
        'DELETE FROM one_time_prekeys WHERE id = (SELECT id FROM one_time_prekeys WHERE account_id = ? AND device_id = ? ORDER BY id LIMIT 1) RETURNING blob',
      ),
      upsertWidget: db.prepare(
        'INSERT INTO widget_configs (account_id, blob, updated_at) VALUES (?, ?, ?) ON CONFLICT (account_id) DO UPDATE SET blob = excluded.blob, updated_at = excluded.updated_at',
      ),
      widget: db.prepare('SELECT blob FROM widget_configs WHERE account_id = ?'),
      insertConversation: db.prepare(
        'INSERT OR IGNORE INTO conversations (conversation_id, account_id, capability_hash, last_active) VALUES (?, ?, ?, ?)',
      ),
      conversation: db.prepare(
        'SELECT conversation_id, account_id, capability_hash FROM conversations WHERE conversation_id = ?',
      ),
      touchConversation: db.prepare('UPDATE conversations SET last_active = ? WHERE conversation_id = ?'),
      deleteConversation: db.prepare('DELETE FROM conversations WHERE conversation_id = ?'),
      // No index: one scan of the message table for a list of conversations, on an account's rare
      // request or for the idle conversations of a retention sweep (sqlite-schema.ts).
      deleteConversationMessages: db.prepare(
        'DELETE FROM messages WHERE conversation_id IN (SELECT unhex(value) FROM json_each(?))',
      ),
      deleteConversationAttachments: db.prepare('DELETE FROM attachments WHERE conversation_id = ?'),
      insertMessage: db.prepare(
        'INSERT INTO messages (seq, created_at, conversation_id, queue_id, envelope) VALUES (?, ?, ?, ?, ?)',
      ),
      setNextSeq: db.prepare('UPDATE meta SET next_seq = ? WHERE id = 0'),
      insertSent: db.prepare(
        'INSERT INTO sent (seq, created_at, digest) VALUES (?, ?, ?) ON CONFLICT (digest) DO NOTHING',
      ),
      sentSeq: db.prepare('SELECT seq FROM sent WHERE digest = ?'),
      newestSent: db.prepare('SELECT seq, created_at FROM sent ORDER BY seq DESC LIMIT 1'),
      firstSentFrom: db.prepare('SELECT seq, created_at FROM sent WHERE seq >= ? ORDER BY seq LIMIT 1'),
      purgeSent: db.prepare('DELETE FROM sent WHERE seq IN (SELECT seq FROM sent WHERE seq <= ? ORDER BY seq LIMIT ?)'),
      nextSeq: db.prepare('SELECT next_seq FROM meta WHERE id = 0'),
      newest: db.prepare('SELECT seq, created_at FROM messages ORDER BY seq DESC LIMIT 1'),
      firstFrom: db.prepare('SELECT seq, created_at FROM messages WHERE seq >= ? ORDER BY seq LIMIT 1'),
      ack: db.prepare('DELETE FROM messages WHERE queue_id = ? AND seq <= ?'),
      depth: db.prepare('SELECT count(*) AS n FROM messages WHERE queue_id = ?'),
      fetch: db.prepare('SELECT seq, envelope FROM messages WHERE queue_id = ? AND seq > ? ORDER BY seq LIMIT ?'),
      stats: db.prepare(
        'SELECT count(*) AS queues, coalesce(sum(n), 0) AS pending, coalesce(max(n), 0) AS deepest FROM (SELECT count(*) AS n FROM messages GROUP BY queue_id)',
      ),
      attachmentUsage: db.prepare('SELECT coalesce(sum(size), 0) AS used FROM attachments WHERE conversation_id = ?'),
      insertAttachment: db.prepare(
        'INSERT INTO attachments (attachment_id, conversation_id, size, blob, created_at) VALUES (?, ?, ?, ?, ?)',
      ),
      attachment: db.prepare('SELECT attachment_id, conversation_id, blob FROM attachments WHERE attachment_id = ?'),
      // The oldest rows up to a cursor, a chunk at a time (rowid order: no sort, no index).
      purgeMessages: db.prepare(
        'DELETE FROM messages WHERE seq IN (SELECT seq FROM messages WHERE seq <= ? ORDER BY seq LIMIT ?)',
      ),
      purgeAttachments: db.prepare('DELETE FROM attachments WHERE created_at < ?'),
      idleConversations: db.prepare('SELECT conversation_id FROM conversations WHERE last_active < ?'),
      purgeSessions: db.prepare('DELETE FROM sessions WHERE expires_at <= ?'),
    };
    this.#queues = new QueueIds(db);
    this.#roles = new SqliteDeviceRoles(db);
    this.#backups = new SqliteIdentityBackups(db);
    this.#push = new SqlitePushSubscriptions(db);
    this.#archive = new SqliteArchive(db);
    this.#blocks = new SqliteBlockList(db);
    const newest = this.#s.newest.get() as Row | undefined;
    const persisted = num((this.#s.nextSeq.get() as Row)['next_seq']);
    // Never below a cursor handed out before, even if the WAL that held it was lost (item 13).
    try {
      this.#floor = new CursorFloor(
        options.cursorFloorPath ?? `${path}.cursor-floor`,
        Math.max(persisted, newest === undefined ? 1 : num(newest['seq']) + 1),
        walPresent,
        options.onCursorFloorJump ?? reportFloorJump,
      );
    } catch (error) {
      this.#db.close();
      this.#wal.close();
      throw error;
    }
    this.#nextSeq = this.#floor.first;
    const newestSent = this.#s.newestSent.get() as Row | undefined;
    this.#lastCreated = Math.max(
      newest === undefined ? 0 : num(newest['created_at']),
      newestSent === undefined ? 0 : num(newestSent['created_at']),
    );
    const onFailure = options.onCheckpointerFailure ?? reportCheckpointerFailure;
    this.#checkpointer = new Checkpointer(path, options.checkpointer ?? {}, (error) => {
      onFailure(error);
      // Checkpoint on this connection again (inside commits, as SQLite does by default).
      if (this.#db.open) this.#db.pragma(`wal_autocheckpoint = ${String(FALLBACK_AUTOCHECKPOINT_PAGES)}`);
    });
  }

  createAccount(account: AccountRecord, now: number): Promise<boolean> {
    const r = this.#s.insertAccount.run(account.accountId, account.username, account.opaqueRecord, now);
    return this.#durable(r.changes === 1);
  }

  findAccountByUsername(username: string): Promise<AccountRecord | undefined> {
    const row = this.#s.accountByName.get(username) as Row | undefined;
    return Promise.resolve(
      row === undefined
        ? undefined
        : {
            accountId: String(row['account_id']),
            username: String(row['username']),
            opaqueRecord: String(row['opaque_record']),
          },
    );
  }

  /** Accounts stored (start-up checks: an install with accounts needs its OPAQUE setup). */
  countAccounts(): number {
    return num((this.#s.accountCount.get() as Row)['n']);
  }

  accountExists(accountId: string): Promise<boolean> {
    return Promise.resolve(this.#s.accountExists.get(accountId) !== undefined);
  }

  createSession(tokenHash: Uint8Array, session: SessionRecord): Promise<void> {
    this.#s.insertSession.run(tokenHash, session.accountId, session.deviceId, session.expiresAt);
    return this.#durable(undefined);
  }

  findSession(tokenHash: Uint8Array, now: number): Promise<SessionRecord | undefined> {
    const row = this.#s.session.get(tokenHash, now) as Row | undefined;
    if (row === undefined) return Promise.resolve(undefined);
    const deviceId = row['device_id'];
    return Promise.resolve({
      accountId: String(row['account_id']),
      deviceId: typeof deviceId === 'string' ? deviceId : null,
      expiresAt: num(row['expires_at']),
    });
  }

  deleteSession(tokenHash: Uint8Array): Promise<void> {
    this.#roles.endSession(tokenHash);
    return this.#durable(undefined);
  }

  putDevice(
    accountId: string,
    deviceId: string,
    signingKey: Uint8Array,
    max: number,
    role: DeviceRole = 'owner',
  ): Promise<LimitedResult> {
    return this.#durable(
      this.#db
        .transaction((): LimitedResult => {
          const old = this.#s.deviceKey.get(accountId, deviceId) as Row | undefined;
          const exists = old !== undefined;
          const count = num((this.#s.deviceCount.get(accountId) as Row)['n']);
          if (!exists && count >= max) return { ok: false, count };
          if (exists && !Buffer.from(bytes(old['signing_key'])).equals(Buffer.from(signingKey)))
            this.#roles.revokeSessions(accountId, deviceId);
          this.#s.upsertDevice.run(accountId, deviceId, signingKey);
          this.#roles.set(accountId, deviceId, role);
          return { ok: true, count: exists ? count : count + 1 };
        })
        .immediate(),
    );
  }

  getDeviceKey(accountId: string, deviceId: string): Promise<Uint8Array | undefined> {
    const row = this.#s.deviceKey.get(accountId, deviceId) as Row | undefined;
    return Promise.resolve(row === undefined ? undefined : bytes(row['signing_key']));
  }

  getDeviceRole(accountId: string, deviceId: string): Promise<DeviceRole | undefined> {
    return Promise.resolve(this.#roles.get(accountId, deviceId));
  }

  deleteDevice(accountId: string, deviceId: string): Promise<boolean> {
    const queue = deviceQueue(accountId, deviceId);
    return this.#durable(
      this.#db
        .transaction(() => {
          const r = this.#s.deleteDevice.run(accountId, deviceId);
          this.#roles.forget(accountId, deviceId);
          this.#archive.forgetDevice(accountId, deviceId);
          this.#s.deleteBundle.run(accountId, deviceId);
          this.#s.deletePrekeys.run(accountId, deviceId);
          this.#push.delete(accountId, deviceId);
          const queueId = this.#queues.delete(queue);
          if (queueId !== undefined) this.#s.deleteQueue.run(queueId);
          return r.changes === 1;
        })
        .immediate(),
    );
  }

  putPushSubscription(
    accountId: string,
    deviceId: string,
    subscription: PushSubscriptionRecord,
    now: number,
  ): Promise<void> {
    this.#push.put(accountId, deviceId, subscription, now);
    return this.#durable(undefined);
  }

  getPushSubscription(accountId: string, deviceId: string): Promise<PushSubscriptionRecord | undefined> {
    return Promise.resolve(this.#push.get(accountId, deviceId));
  }

  deletePushSubscription(accountId: string, deviceId: string, endpoint?: string): Promise<boolean> {
    return this.#durable(this.#push.delete(accountId, deviceId, endpoint));
  }

  appendDeviceList(accountId: string, version: number, blob: Uint8Array, now: number): Promise<AppendResult> {
    return this.#durable(
      this.#db
        .transaction((): AppendResult => {
          const row = this.#s.latestList.get(accountId) as Row | undefined;
          const latest = row === undefined ? 0 : num(row['version']);
          if (version !== latest + 1) return { ok: false, latest };
          this.#s.insertList.run(accountId, version, blob, now);
          return { ok: true };
        })
        .immediate(),
    );
  }

  getDeviceList(accountId: string, version?: number): Promise<VersionedBlob | undefined> {
    const row = (version === undefined ? this.#s.latestList.get(accountId) : this.#s.listAt.get(accountId, version)) as
      Row | undefined;
    return Promise.resolve(row === undefined ? undefined : { version: num(row['version']), blob: bytes(row['blob']) });
  }

  putBundle(accountId: string, deviceId: string, blob: Uint8Array, now: number): Promise<void> {
    this.#s.upsertBundle.run(accountId, deviceId, blob, now);
    return this.#durable(undefined);
  }

  getBundles(accountId: string): Promise<DeviceBlob[]> {
    const rows = this.#s.bundles.all(accountId) as Row[];
    return Promise.resolve(rows.map((r) => ({ deviceId: String(r['device_id']), blob: bytes(r['blob']) })));
  }

  addOneTimePrekeys(
    accountId: string,
    deviceId: string,
    blobs: readonly Uint8Array[],
    max: number,
  ): Promise<LimitedResult> {
    return this.#durable(
      this.#db
        .transaction((): LimitedResult => {
          const count = num((this.#s.prekeyCount.get(accountId, deviceId) as Row)['n']);
          if (count + blobs.length > max) return { ok: false, count };
          for (const blob of blobs) this.#s.insertPrekey.run(accountId, deviceId, blob);
          return { ok: true, count: count + blobs.length };
        })
        .immediate(),
    );
  }

  claimOneTimePrekey(accountId: string, deviceId: string): Promise<Uint8Array | undefined> {
    // One statement is one transaction: the row is deleted and returned atomically. Durable before
    // it is answered, so a power loss cannot bring back a prekey that was handed out.
    const row = this.#s.claimPrekey.get(accountId, deviceId) as Row | undefined;
    return this.#durable(row === undefined ? undefined : bytes(row['blob']));
  }

  countOneTimePrekeys(accountId: string, deviceId: string): Promise<number> {
    return Promise.resolve(num((this.#s.prekeyCount.get(accountId, deviceId) as Row)['n']));
  }

  putWidgetConfig(accountId: string, blob: Uint8Array, now: number): Promise<void> {
    this.#s.upsertWidget.run(accountId, blob, now);
    return this.#durable(undefined);
  }

  getWidgetConfig(accountId: string): Promise<Uint8Array | undefined> {
    const row = this.#s.widget.get(accountId) as Row | undefined;
    return Promise.resolve(row === undefined ? undefined : bytes(row['blob']));
  }

  putIdentityBackup(accountId: string, record: IdentityBackupRecord, now: number): Promise<boolean> {
    return this.#durable(this.#backups.put(accountId, record, now));
  }

  getIdentityBackup(accountId: string): Promise<IdentityBackupRecord | undefined> {
    return Promise.resolve(this.#backups.get(accountId));
  }

  putArchiveGrant(
    accountId: string,
    deviceId: string,
    blob: Uint8Array,
    max: number,
    now: number,
  ): Promise<LimitedResult> {
    return this.#durable(this.#archive.putGrant(accountId, deviceId, blob, max, now));
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
    now: number,
  ): Promise<HistoryPutResult> {
    return this.#durable(this.#archive.putRecord(accountId, author, recordId, blob, max, now));
  }

  historyRecords(accountId: string, after: number, limit: number): Promise<HistoryRecordRow[]> {
    return Promise.resolve(this.#archive.records(accountId, after, limit));
  }

  createConversation(c: ConversationRecord, now: number): Promise<boolean> {
    return this.#durable(
      this.#s.insertConversation.run(c.conversationId, c.accountId, c.capabilityHash, now).changes === 1,
    );
  }

  getConversation(conversationId: string): Promise<ConversationRecord | undefined> {
    const row = this.#s.conversation.get(conversationId) as Row | undefined;
    return Promise.resolve(
      row === undefined
        ? undefined
        : {
            conversationId: String(row['conversation_id']),
            accountId: String(row['account_id']),
            capabilityHash: bytes(row['capability_hash']),
          },
    );
  }

  deleteConversation(conversationId: string): Promise<boolean> {
    return this.#durable(
      this.#db.transaction(() => this.#dropConversations([conversationId]).deleted === 1).immediate(),
    );
  }

  /**
   * Group commit: one transaction appends the batch's messages and applies its acks. COMMIT only
   * write()s the WAL frames (synchronous=NORMAL); a message batch then fsyncs the WAL on libuv's
   * thread pool and resolves only when that has finished, so the sender's `stored` still waits
   * for the data to be on disk (the at-least-once contract), exactly as with synchronous=FULL,
   * which syncs the same WAL file at the same point (SQLite "WAL mode", "PRAGMA synchronous").
   * Meanwhile the relay keeps reading frames, and the Hub commits them as the next batch. A
   * failed fsync rejects: the senders get storage-failed and resend (the rows may survive:
   * receivers dedupe by cursor).
   *
   * An ack-only batch is not synced at all: losing it in a power failure only makes a receiver
   * get those messages again (docs/PROTOCOL.md §16.2.4); a process crash loses nothing (WAL).
   *
   * Cursors come from memory (#nextSeq) and meta.next_seq is raised in the same transaction, so
   * a cursor is never reused; created_at is max(now, newest created_at), non-decreasing in seq.
   * A queue's first message inserts its `queues` row in the same transaction; the ids are cached
   * only once it has committed (sqlite-queue-ids.ts). An ack of a queue without a row is a no-op.
   */
  async commit(messages: readonly NewMessage[], acks: readonly Ack[], now: number): Promise<CommittedSend[]> {
    // The checkpoint worker is restarting the log (a few ms): wait without blocking the loop.
    const held = this.#checkpointer.held;
    if (held !== undefined) await held;
    const rows = messages.map((m) => {
      const conversation = conversationKey(m.conversationId);
      if (conversation === undefined) throw new TypeError('conversation id must be 32 lower-case hex digits');
      const digest = sendDigest(m.queue, m.envelope);
      return { queue: m.queue, conversation, envelope: m.envelope, conversationId: m.conversationId, digest };
    });
    const createdAt = Math.max(now, this.#lastCreated);
    const first = this.#nextSeq;
    const touched = new Set<string>();
    const ids: QueueIdBatch = new Map();
    // The floor file is raised (fsynced) before a cursor past it can be committed (resends take none).
    if (rows.length > 0) this.#floor.cover(first + rows.length);
    const committed = this.#db
      .transaction((): CommittedSend[] => {
        let seq = first;
        const out = rows.map((r): CommittedSend => {
          // §16.2: bytes this queue received before (in `sent`, also earlier in this batch) are a
          // resend: the first cursor, nothing appended.
          if (this.#s.insertSent.run(seq, createdAt, r.digest).changes === 0)
            return { seq: num((this.#s.sentSeq.get(r.digest) as Row)['seq']), resent: true };
          const queueId = this.#queues.resolve(r.queue, ids, true);
          this.#s.insertMessage.run(seq, createdAt, r.conversation, queueId, r.envelope);
          if (!touched.has(r.conversationId) && this.#needsTouch(r.conversationId, now)) {
            this.#s.touchConversation.run(now, r.conversationId);
            touched.add(r.conversationId);
          }
          seq += 1;
          return { seq: seq - 1, resent: false };
        });
        if (seq > first) this.#s.setNextSeq.run(seq);
        for (const a of acks) {
          const queueId = this.#queues.resolve(a.queue, ids, false);
          if (queueId !== undefined) this.#s.ack.run(queueId, a.upTo);
        }
        return out;
      })
      .immediate();
    // Advanced and cached only once the transaction has committed.
    this.#queues.remember(ids);
    const appended = committed.filter((c) => !c.resent).length;
    if (appended > 0) {
      this.#nextSeq = first + appended;
      this.#lastCreated = createdAt;
    }
    for (const id of touched) this.#touched.set(id, now);
    // A batch of resends only is synced too: the first copies may still be in an unsynced WAL
    // (an ack-only batch before them), and `stored` promises they are on disk.
    if (rows.length > 0) await this.#wal.sync();
    return committed;
  }

  /** Completed fsyncs of the WAL, for tests and diagnostics. */
  walSyncs(): number {
    return this.#wal.syncs;
  }

  /** Checkpoints run by the worker, and whether it failed (the connection checkpoints itself then). */
  checkpointStats(): { checkpoints: number; workerFailed: boolean; autocheckpointPages: number } {
    return {
      checkpoints: this.#checkpointer.checkpoints,
      workerFailed: this.#checkpointer.failed,
      autocheckpointPages: num(this.#db.pragma('wal_autocheckpoint', { simple: true })),
    };
  }

  /** PRAGMA synchronous of the connection (1 = NORMAL), for tests and diagnostics. */
  synchronousLevel(): number {
    return num(this.#db.pragma('synchronous', { simple: true }));
  }

  queueDepths(queues: readonly QueueKey[]): Promise<Map<QueueKey, number>> {
    const depths = new Map<QueueKey, number>();
    for (const queue of queues) {
      const queueId = this.#queues.find(queue);
      depths.set(queue, queueId === undefined ? 0 : num((this.#s.depth.get(queueId) as Row)['n']));
    }
    return Promise.resolve(depths);
  }

  fetchQueue(queue: QueueKey, after: number, limit: number): Promise<StoredMessage[]> {
    const queueId = this.#queues.find(queue);
    if (queueId === undefined) return Promise.resolve([]);
    const rows = this.#s.fetch.all(queueId, after, limit) as Row[];
    return Promise.resolve(rows.map((r) => ({ seq: num(r['seq']), envelope: bytes(r['envelope']) })));
  }

  queueStats(): Promise<{ pendingMessages: number; queues: number; deepestQueue: number }> {
    const row = this.#s.stats.get() as Row;
    return Promise.resolve({
      pendingMessages: num(row['pending']),
      queues: num(row['queues']),
      deepestQueue: num(row['deepest']),
    });
  }

  putAttachment(a: AttachmentRecord, quotaBytes: number, now: number): Promise<PutAttachmentOutcome> {
    return this.#durable(
      this.#db
        .transaction((): PutAttachmentOutcome => {
          if (this.#s.attachment.get(a.attachmentId) !== undefined) return 'exists';
          const used = num((this.#s.attachmentUsage.get(a.conversationId) as Row)['used']);
          if (used + a.blob.length > quotaBytes) return 'over-quota';
          this.#s.insertAttachment.run(a.attachmentId, a.conversationId, a.blob.length, a.blob, now);
          return 'stored';
        })
        .immediate(),
    );
  }

  getAttachment(attachmentId: string): Promise<AttachmentRecord | undefined> {
    const row = this.#s.attachment.get(attachmentId) as Row | undefined;
    return Promise.resolve(
      row === undefined
        ? undefined
        : {
            attachmentId: String(row['attachment_id']),
            conversationId: String(row['conversation_id']),
            blob: bytes(row['blob']),
          },
    );
  }

  /**
   * Retention. Expired messages go first, PURGE_CHUNK_ROWS per transaction with the event loop
   * free in between, so a large backlog does not hold up the commits of live traffic. The rest
   * (expired attachments, idle conversations with everything of theirs, expired sessions, empty
   * queue rows) is one transaction; the messages of all idle conversations are found in one pass
   * over the table (no conversation_id index, sqlite-schema.ts), not one pass per conversation.
   */
  async purge(cutoff: number, now: number): Promise<PurgeCounts> {
    const last = this.#lastSeqCreatedBefore(this.#s.firstFrom, cutoff);
    const messages = last === undefined ? 0 : await this.#deleteInChunks(this.#s.purgeMessages, last);
    // The records of sends (§16.2) expire with the messages; their rows may outlive an acked message.
    const lastSent = this.#lastSeqCreatedBefore(this.#s.firstSentFrom, cutoff);
    if (lastSent !== undefined) await this.#deleteInChunks(this.#s.purgeSent, lastSent);
    await this.#checkpointer.held;
    return this.#durable(
      this.#db
        .transaction((): PurgeCounts => {
          let attachments = this.#s.purgeAttachments.run(cutoff).changes;
          const idle = (this.#s.idleConversations.all(cutoff) as Row[]).map((r) => String(r['conversation_id']));
          attachments += this.#dropConversations(idle).attachments;
          const sessions = this.#s.purgeSessions.run(now).changes;
          // Queue rows of queues left empty, so the table holds only queues in use (sqlite-schema.ts).
          this.#queues.sweepEmpty();
          return { messages, attachments, conversations: idle.length, sessions, conversationIds: idle };
        })
        .immediate(),
    );
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

  /** Stops the checkpoint worker, checkpoints and truncates the WAL, and closes the database. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#checkpointer.stop();
      try {
        this.#db.pragma('wal_checkpoint(TRUNCATE)');
        this.#floor.closeClean(this.#nextSeq);
      } finally {
        // A failed checkpoint (disk full, read-only file) leaves the WAL, which the next open
        // replays: the database is closed all the same.
        this.#db.close();
        this.#wal.close();
      }
    })();
    return this.#closing;
  }

  /** Resolves with `value` once the WAL (and so the write that produced `value`) is on disk. */
  async #durable<T>(value: T): Promise<T> {
    await this.#wal.sync();
    return value;
  }

  /** Deletes rows up to seq `last`, PURGE_CHUNK_ROWS per transaction with the event loop free in between. */
  async #deleteInChunks(chunk: Database.Statement, last: number): Promise<number> {
    let total = 0;
    for (;;) {
      // As in commit: a write during the checkpoint worker's restart would block the loop.
      await this.#checkpointer.held;
      const deleted = chunk.run(last, PURGE_CHUNK_ROWS).changes;
      total += deleted;
      if (deleted < PURGE_CHUNK_ROWS) return total;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /**
   * The largest seq whose created_at is before `cutoff` in `messages` or `sent` (`firstFrom`: the
   * table's first row from a seq), by binary search over seq: created_at is non-decreasing in seq
   * (see commit), so every row up to it is older than the cutoff and every later one is not. About
   * log2(seq range) indexed lookups, no created_at index.
   */
  #lastSeqCreatedBefore(firstFrom: Database.Statement, cutoff: number): number | undefined {
    const oldest = firstFrom.get(0) as Row | undefined;
    if (oldest === undefined || num(oldest['created_at']) >= cutoff) return undefined;
    // Invariant: `lo` is the seq of a message older than the cutoff; no message from `hi` on is.
    let lo = num(oldest['seq']);
    let hi = this.#nextSeq;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      const row = firstFrom.get(mid) as Row | undefined;
      if (row === undefined || num(row['created_at']) >= cutoff) hi = mid;
      else lo = num(row['seq']);
    }
    return lo;
  }

  #needsTouch(conversationId: string, now: number): boolean {
    const last = this.#touched.get(conversationId);
    return last === undefined || now < last || now - last >= TOUCH_INTERVAL_MS;
  }

  /**
   * The conversations' rows, their messages in every queue (visitor and device queues: one pass
   * over the message table for all of them), their visitor queues' rows and their attachments.
   */
  #dropConversations(conversationIds: readonly string[]): { deleted: number; attachments: number } {
    let deleted = 0;
    let attachments = 0;
    for (const id of conversationIds) {
      deleted += this.#s.deleteConversation.run(id).changes;
      attachments += this.#s.deleteConversationAttachments.run(id).changes;
    }
    // A malformed id can have no messages: commit refuses to queue one.
    const hexIds = conversationIds.filter((id) => conversationKey(id) !== undefined);
    if (hexIds.length > 0) this.#s.deleteConversationMessages.run(JSON.stringify(hexIds));
    // The visitor queues' rows, unless one still holds messages of another conversation (the
    // relay never queues those; the Store contract keeps them).
    for (const id of conversationIds) this.#queues.deleteIfEmpty(visitorQueue(id));
    return { deleted, attachments };
  }
}
