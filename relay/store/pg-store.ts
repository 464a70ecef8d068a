/**
 * The Store on PostgreSQL (node-postgres), shared by any number of relay nodes: selected by
 * DATABASE_URL (relay/server.ts). Schema and migrations: pg-schema.ts, pg-migrate.ts.
 *
 * Guarantees across nodes, each resting on the database and never on a node's memory:
 * - Cursors come from one sequence; within a queue they are drawn and committed in order (the
 *   queue row is locked first, sealdesk_commit), so `commitChained` can tell each message's
 *   predecessor and a node never delivers past a message it has not seen (SharedStore).
 * - A batch is one statement (one transaction, one round trip); `stored` waits for its COMMIT,
 *   which is durable (synchronous_commit is forced on for the store's sessions).
 * - One-time prekeys are claimed with `FOR UPDATE SKIP LOCKED`: concurrent claims on any nodes
 *   take different rows, and never wait for each other or return nothing while rows are left.
 * - Caps that count rows first (devices per account, prekeys per device, attachment quota, the
 *   next device-list version) hold a transaction-scoped advisory lock on what they count.
 * - Retention runs on one node at a time (a session advisory lock); other nodes skip the sweep.
 */
import type pg from 'pg';
import type {
  Ack,
  AccountRecord,
  AppendResult,
  ArchiveGrantRow,
  AttachmentRecord,
  PutAttachmentOutcome,
  ChainedSeq,
  CommittedSend,
  ConversationRecord,
  DeviceBlob,
  DeviceRole,
  HistoryPutResult,
  HistoryRecordRow,
  LimitedResult,
  NewMessage,
  PurgeCounts,
  PushSubscriptionRecord,
  QueueHead,
  QueueKey,
  SessionRecord,
  SharedStore,
  StoredMessage,
  VersionedBlob,
  IdentityBackupRecord,
} from './store.js';
import { DEVICE_ROLES, deviceQueue, visitorQueue } from './store.js';
import { LruMap } from './lru-map.js';
import { sendDigest } from './send-digest.js';
import { migrate } from './pg-migrate.js';
import { StoreSetupError } from './pg-errors.js';
import * as archive from './pg-archive.js';
import { PgBlockList, createBlockListTable } from './pg-block-list.js';
import type { BlockedVisitor } from './block-list.js';

/** As in the SQLite store: conversations.last_active is written at most once a second per conversation. */
export const PG_TOUCH_INTERVAL_MS = 1_000;
/** Expired messages deleted per statement by the retention sweep. */
export const PG_PURGE_CHUNK_ROWS = 5_000;
const TOUCH_MEMORY_ENTRIES = 20_000;
/** pg_try_advisory_lock key of the retention sweep. */
const PURGE_LOCK = '6000841689093161804';
/** Deadlocks (40P01) and serialization failures (40001) roll the transaction back: it is run again. */
const RETRIES = 3;
const HEX_ID = /^[0-9a-f]{32}$/;

export interface PgStoreOptions {
  /** Connections per node (default 8). */
  readonly poolSize?: number;
  /** A pooled connection failed while idle (the server restarted); the pool replaces it. */
  readonly onIdleError?: (error: Error) => void;
}

type Row = Readonly<Record<string, unknown>>;
type Queryable = pg.Pool | pg.PoolClient;

const num = (value: unknown): number => Number(value);
const bytes = (value: unknown): Uint8Array => new Uint8Array(value as Buffer);
const buf = (value: Uint8Array): Buffer => Buffer.from(value.buffer, value.byteOffset, value.byteLength);

function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}

export class PgStore implements SharedStore {
  readonly #pool: pg.Pool;
  readonly #blocks: PgBlockList;
  /** When each recently active conversation's last_active was last written by this node. */
  readonly #touched = new LruMap<string, number>(TOUCH_MEMORY_ENTRIES);
  /** Claims of this node run one after another, so they are answered in upload order. */
  #claims: Promise<unknown> = Promise.resolve();
  #closing: Promise<void> | undefined;

  private constructor(pool: pg.Pool) {
    this.#pool = pool;
    this.#blocks = new PgBlockList(pool);
  }

  /** Connects, migrates the schema (pg-migrate.ts) and returns the store. */
  static async open(url: string, options: PgStoreOptions = {}): Promise<PgStore> {
    // Loaded only by nodes that use PostgreSQL.
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 8,
      // Acknowledged writes must survive a crash whatever the server's default says.
      options: '-c synchronous_commit=on',
      connectionTimeoutMillis: 5_000,
      // Connections stay open while idle: reconnecting under load costs a fork on the server.
      idleTimeoutMillis: 0,
      keepAlive: true,
    });
    pool.on('error', (error) => {
      options.onIdleError?.(error);
    });
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      await pool.end();
      throw new StoreSetupError(
        `cannot connect to PostgreSQL at DATABASE_URL: ${error instanceof Error ? error.message : 'unknown error'}`,
        { cause: error },
      );
    }
    try {
      await migrate(client);
      await createBlockListTable(client);
    } catch (error) {
      client.release();
      await pool.end();
      throw error;
    }
    client.release();
    return new PgStore(pool);
  }

  // Accounts and sessions

  async createAccount(account: AccountRecord, now: number): Promise<boolean> {
    const r = await this.#pool.query(
      'INSERT INTO accounts (account_id, username, opaque_record, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
      [account.accountId, account.username, account.opaqueRecord, now],
    );
    return r.rowCount === 1;
  }

  async findAccountByUsername(username: string): Promise<AccountRecord | undefined> {
    const row = await this.#one('SELECT account_id, username, opaque_record FROM accounts WHERE username = $1', [
      username,
    ]);
    return row === undefined
      ? undefined
      : {
          accountId: String(row['account_id']),
          username: String(row['username']),
          opaqueRecord: String(row['opaque_record']),
        };
  }

  async accountExists(accountId: string): Promise<boolean> {
    return (await this.#one('SELECT 1 FROM accounts WHERE account_id = $1', [accountId])) !== undefined;
  }

  async createSession(tokenHash: Uint8Array, session: SessionRecord): Promise<void> {
    await this.#pool.query(
      'INSERT INTO sessions (token_hash, account_id, device_id, expires_at) VALUES ($1, $2, $3, $4)',
      [buf(tokenHash), session.accountId, session.deviceId, session.expiresAt],
    );
  }

  async findSession(tokenHash: Uint8Array, now: number): Promise<SessionRecord | undefined> {
    const row = await this.#one(
      'SELECT account_id, device_id, expires_at FROM sessions WHERE token_hash = $1 AND expires_at > $2',
      [buf(tokenHash), now],
    );
    if (row === undefined) return undefined;
    const deviceId = row['device_id'];
    return {
      accountId: String(row['account_id']),
      deviceId: typeof deviceId === 'string' ? deviceId : null,
      expiresAt: num(row['expires_at']),
    };
  }

  async deleteSession(tokenHash: Uint8Array): Promise<void> {
    await this.#pool.query('DELETE FROM sessions WHERE token_hash = $1', [buf(tokenHash)]);
  }

  // Devices

  putDevice(
    accountId: string,
    deviceId: string,
    signingKey: Uint8Array,
    max: number,
    role: DeviceRole = 'owner',
  ): Promise<LimitedResult> {
    return this.#tx(async (c): Promise<LimitedResult> => {
      await lock(c, `devices:${accountId}`);
      const old = await one(c, 'SELECT signing_key FROM devices WHERE account_id = $1 AND device_id = $2', [
        accountId,
        deviceId,
      ]);
      const exists = old !== undefined;
      const count = num((await one(c, 'SELECT count(*) AS n FROM devices WHERE account_id = $1', [accountId]))?.['n']);
      if (!exists && count >= max) return { ok: false, count };
      // A new key for a known device: its old sessions end with it (issue #10 item 2).
      if (exists && !Buffer.from(bytes(old['signing_key'])).equals(Buffer.from(signingKey)))
        await c.query('DELETE FROM sessions WHERE account_id = $1 AND device_id = $2', [accountId, deviceId]);
      await c.query(
        'INSERT INTO devices (account_id, device_id, signing_key) VALUES ($1, $2, $3) ON CONFLICT (account_id, device_id) DO UPDATE SET signing_key = excluded.signing_key',
        [accountId, deviceId, buf(signingKey)],
      );
      await c.query(
        'INSERT INTO device_roles (account_id, device_id, role) VALUES ($1, $2, $3) ON CONFLICT (account_id, device_id) DO UPDATE SET role = excluded.role',
        [accountId, deviceId, role],
      );
      return { ok: true, count: exists ? count : count + 1 };
    });
  }

  async getDeviceRole(accountId: string, deviceId: string): Promise<DeviceRole | undefined> {
    const row = await this.#one(
      "SELECT coalesce(r.role, 'owner') AS role FROM devices d LEFT JOIN device_roles r ON r.account_id = d.account_id AND r.device_id = d.device_id WHERE d.account_id = $1 AND d.device_id = $2",
      [accountId, deviceId],
    );
    return DEVICE_ROLES.find((r) => r === row?.['role']);
  }

  async getDeviceKey(accountId: string, deviceId: string): Promise<Uint8Array | undefined> {
    const row = await this.#one('SELECT signing_key FROM devices WHERE account_id = $1 AND device_id = $2', [
      accountId,
      deviceId,
    ]);
    return row === undefined ? undefined : bytes(row['signing_key']);
  }

  deleteDevice(accountId: string, deviceId: string): Promise<boolean> {
    return this.#tx(async (c) => {
      // The queue row first (as commits lock it), then the rest.
      await dropQueues(c, [deviceQueue(accountId, deviceId)]);
      const r = await c.query('DELETE FROM devices WHERE account_id = $1 AND device_id = $2', [accountId, deviceId]);
      await c.query('DELETE FROM bundles WHERE account_id = $1 AND device_id = $2', [accountId, deviceId]);
      await c.query('DELETE FROM one_time_prekeys WHERE account_id = $1 AND device_id = $2', [accountId, deviceId]);
      await c.query('DELETE FROM device_roles WHERE account_id = $1 AND device_id = $2', [accountId, deviceId]);
      await c.query('DELETE FROM push_subscriptions WHERE account_id = $1 AND device_id = $2', [accountId, deviceId]);
      await c.query('DELETE FROM sessions WHERE account_id = $1 AND device_id = $2', [accountId, deviceId]);
      await archive.forgetArchiveDevice(c, accountId, deviceId);
      return r.rowCount === 1;
    });
  }

  // Web Push

  async putPushSubscription(
    accountId: string,
    deviceId: string,
    subscription: PushSubscriptionRecord,
    now: number,
  ): Promise<void> {
    await this.#pool.query(
      'INSERT INTO push_subscriptions (account_id, device_id, endpoint, p256dh, auth, updated_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (account_id, device_id) DO UPDATE SET endpoint = excluded.endpoint, p256dh = excluded.p256dh, auth = excluded.auth, updated_at = excluded.updated_at',
      [accountId, deviceId, subscription.endpoint, buf(subscription.p256dh), buf(subscription.auth), now],
    );
  }

  async getPushSubscription(accountId: string, deviceId: string): Promise<PushSubscriptionRecord | undefined> {
    const row = await this.#one(
      'SELECT endpoint, p256dh, auth FROM push_subscriptions WHERE account_id = $1 AND device_id = $2',
      [accountId, deviceId],
    );
    return row === undefined
      ? undefined
      : { endpoint: String(row['endpoint']), p256dh: bytes(row['p256dh']), auth: bytes(row['auth']) };
  }

  async deletePushSubscription(accountId: string, deviceId: string, endpoint?: string): Promise<boolean> {
    const r =
      endpoint === undefined
        ? await this.#pool.query('DELETE FROM push_subscriptions WHERE account_id = $1 AND device_id = $2', [
            accountId,
            deviceId,
          ])
        : await this.#pool.query(
            'DELETE FROM push_subscriptions WHERE account_id = $1 AND device_id = $2 AND endpoint = $3',
            [accountId, deviceId, endpoint],
          );
    return (r.rowCount ?? 0) > 0;
  }

  // Key directory

  appendDeviceList(accountId: string, version: number, blob: Uint8Array, now: number): Promise<AppendResult> {
    return this.#tx(async (c): Promise<AppendResult> => {
      await lock(c, `device-lists:${accountId}`);
      const latest = num(
        (await one(c, 'SELECT coalesce(max(version), 0) AS v FROM device_lists WHERE account_id = $1', [accountId]))?.[
          'v'
        ],
      );
      if (version !== latest + 1) return { ok: false, latest };
      await c.query('INSERT INTO device_lists (account_id, version, blob, created_at) VALUES ($1, $2, $3, $4)', [
        accountId,
        version,
        buf(blob),
        now,
      ]);
      return { ok: true };
    });
  }

  async getDeviceList(accountId: string, version?: number): Promise<VersionedBlob | undefined> {
    const row =
      version === undefined
        ? await this.#one(
            'SELECT version, blob FROM device_lists WHERE account_id = $1 ORDER BY version DESC LIMIT 1',
            [accountId],
          )
        : await this.#one('SELECT version, blob FROM device_lists WHERE account_id = $1 AND version = $2', [
            accountId,
            version,
          ]);
    return row === undefined ? undefined : { version: num(row['version']), blob: bytes(row['blob']) };
  }

  async putBundle(accountId: string, deviceId: string, blob: Uint8Array, now: number): Promise<void> {
    await this.#pool.query(
      'INSERT INTO bundles (account_id, device_id, blob, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (account_id, device_id) DO UPDATE SET blob = excluded.blob, updated_at = excluded.updated_at',
      [accountId, deviceId, buf(blob), now],
    );
  }

  async getBundles(accountId: string): Promise<DeviceBlob[]> {
    const r = await this.#pool.query<Row>(
      'SELECT device_id, blob FROM bundles WHERE account_id = $1 ORDER BY device_id',
      [accountId],
    );
    return r.rows.map((row) => ({ deviceId: String(row['device_id']), blob: bytes(row['blob']) }));
  }

  addOneTimePrekeys(
    accountId: string,
    deviceId: string,
    blobs: readonly Uint8Array[],
    max: number,
  ): Promise<LimitedResult> {
    return this.#tx(async (c): Promise<LimitedResult> => {
      await lock(c, `prekeys:${accountId}:${deviceId}`);
      const count = await countPrekeys(c, accountId, deviceId);
      if (count + blobs.length > max) return { ok: false, count };
      if (blobs.length > 0) {
        // unnest keeps the array's order, so ids (and claims) follow the upload order.
        await c.query(
          'INSERT INTO one_time_prekeys (account_id, device_id, blob) SELECT $1, $2, b FROM unnest($3::bytea[]) WITH ORDINALITY AS u(b, i) ORDER BY i',
          [accountId, deviceId, blobs.map(buf)],
        );
      }
      return { ok: true, count: count + blobs.length };
    });
  }

  claimOneTimePrekey(accountId: string, deviceId: string): Promise<Uint8Array | undefined> {
    const claim = this.#claims.then(async () => {
      // SKIP LOCKED: a row another node is claiming right now is passed over, never waited for
      // and then found deleted; each row is deleted (and so handed out) by one claim only.
      const row = await this.#one(
        'DELETE FROM one_time_prekeys WHERE id = (SELECT id FROM one_time_prekeys WHERE account_id = $1 AND device_id = $2 ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING blob',
        [accountId, deviceId],
      );
      return row === undefined ? undefined : bytes(row['blob']);
    });
    this.#claims = claim.catch(() => undefined);
    return claim;
  }

  countOneTimePrekeys(accountId: string, deviceId: string): Promise<number> {
    return countPrekeys(this.#pool, accountId, deviceId);
  }

  async putWidgetConfig(accountId: string, blob: Uint8Array, now: number): Promise<void> {
    await this.#pool.query(
      'INSERT INTO widget_configs (account_id, blob, updated_at) VALUES ($1, $2, $3) ON CONFLICT (account_id) DO UPDATE SET blob = excluded.blob, updated_at = excluded.updated_at',
      [accountId, buf(blob), now],
    );
  }

  async getWidgetConfig(accountId: string): Promise<Uint8Array | undefined> {
    const row = await this.#one('SELECT blob FROM widget_configs WHERE account_id = $1', [accountId]);
    return row === undefined ? undefined : bytes(row['blob']);
  }

  async putIdentityBackup(accountId: string, record: IdentityBackupRecord, now: number): Promise<boolean> {
    // One statement: a replacement only from the same account key (PROTOCOL §16.8).
    const r = await this.#pool.query(
      'INSERT INTO identity_backups (account_id, backup, account_key, signature, updated_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (account_id) DO UPDATE SET backup = excluded.backup, signature = excluded.signature, updated_at = excluded.updated_at WHERE identity_backups.account_key = excluded.account_key',
      [accountId, buf(record.backup), buf(record.accountKey), buf(record.signature), now],
    );
    return r.rowCount === 1;
  }

  async getIdentityBackup(accountId: string): Promise<IdentityBackupRecord | undefined> {
    const row = await this.#one('SELECT backup, account_key, signature FROM identity_backups WHERE account_id = $1', [
      accountId,
    ]);
    return row === undefined
      ? undefined
      : { backup: bytes(row['backup']), accountKey: bytes(row['account_key']), signature: bytes(row['signature']) };
  }

  // Inbox archive (pg-archive.ts)

  putArchiveGrant(
    accountId: string,
    deviceId: string,
    blob: Uint8Array,
    max: number,
    now: number,
  ): Promise<LimitedResult> {
    return this.#tx((c) => archive.putArchiveGrant(c, accountId, deviceId, blob, max, now));
  }

  archiveGrants(accountId: string, deviceId: string, after: number, limit: number): Promise<ArchiveGrantRow[]> {
    return this.#retrying(() => archive.archiveGrants(this.#pool, accountId, deviceId, after, limit));
  }

  putHistoryRecord(
    accountId: string,
    author: string,
    recordId: string,
    blob: Uint8Array,
    max: number,
    now: number,
  ): Promise<HistoryPutResult> {
    return this.#tx((c) => archive.putHistoryRecord(c, accountId, author, recordId, blob, max, now));
  }

  historyRecords(accountId: string, after: number, limit: number): Promise<HistoryRecordRow[]> {
    return this.#retrying(() => archive.historyRecords(this.#pool, accountId, after, limit));
  }

  // Conversations and delivery

  async createConversation(c: ConversationRecord, now: number): Promise<boolean> {
    const r = await this.#pool.query(
      'INSERT INTO conversations (conversation_id, account_id, capability_hash, last_active) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
      [c.conversationId, c.accountId, buf(c.capabilityHash), now],
    );
    return r.rowCount === 1;
  }

  async getConversation(conversationId: string): Promise<ConversationRecord | undefined> {
    const row = await this.#one(
      'SELECT conversation_id, account_id, capability_hash FROM conversations WHERE conversation_id = $1',
      [conversationId],
    );
    return row === undefined
      ? undefined
      : {
          conversationId: String(row['conversation_id']),
          accountId: String(row['account_id']),
          capabilityHash: bytes(row['capability_hash']),
        };
  }

  deleteConversation(conversationId: string): Promise<boolean> {
    return this.#tx(async (c) => (await dropConversations(c, [conversationId])).length === 1);
  }

  async commit(messages: readonly NewMessage[], acks: readonly Ack[], now: number): Promise<CommittedSend[]> {
    return (await this.commitChained(messages, acks, now)).map(({ seq, resent }) => ({ seq, resent }));
  }

  /**
   * Group commit: the batch's appends and acks in one call of sealdesk_commit_once (pg-schema.ts),
   * one statement and so one transaction, answered once COMMIT is durable. A resend (PROTOCOL
   * §16.2: a (queue, envelope) the store recorded, by sendDigest) gets its first cursor back. A deadlock with another
   * node's transaction rolls it back and it runs again (nothing of it was applied).
   */
  async commitChained(messages: readonly NewMessage[], acks: readonly Ack[], now: number): Promise<ChainedSeq[]> {
    const offsets: number[] = [];
    const lengths: number[] = [];
    let offset = 0;
    for (const m of messages) {
      if (!HEX_ID.test(m.conversationId)) throw new TypeError('conversation id must be 32 lower-case hex digits');
      offsets.push(offset);
      lengths.push(m.envelope.length);
      offset += m.envelope.length;
    }
    const touch = [...new Set(messages.map((m) => m.conversationId))].filter((id) => this.#needsTouch(id, now));
    const params = [
      messages.map((m) => m.queue),
      messages.map((m) => m.conversationId),
      Buffer.concat(messages.map((m) => m.envelope)),
      offsets,
      lengths,
      messages.map((m) => sendDigest(m.queue, m.envelope)),
      acks.map((a) => a.queue),
      acks.map((a) => a.upTo),
      touch,
      now,
    ];
    const rows = await this.#retrying(
      async () =>
        (
          await this.#pool.query<Row>({
            name: 'sealdesk_commit_once',
            text: 'SELECT seq, previous, resent FROM sealdesk_commit_once($1::text[], $2::text[], $3::bytea, $4::integer[], $5::integer[], $6::bytea[], $7::text[], $8::bigint[], $9::text[], $10::bigint)',
            values: params,
          })
        ).rows,
    );
    for (const id of touch) this.#touched.set(id, now);
    return rows.map((r) => ({ seq: num(r['seq']), previous: num(r['previous']), resent: r['resent'] === true }));
  }

  async queueDepths(queues: readonly QueueKey[]): Promise<Map<QueueKey, number>> {
    const depths = new Map<QueueKey, number>(queues.map((q) => [q, 0]));
    if (queues.length === 0) return depths;
    const r = await this.#pool.query<Row>({
      name: 'sealdesk_depths',
      text: 'SELECT q.name, count(m.seq) AS n FROM queues q JOIN messages m ON m.queue_id = q.queue_id WHERE q.name = ANY ($1) GROUP BY q.name',
      values: [[...queues]],
    });
    for (const row of r.rows) depths.set(String(row['name']), num(row['n']));
    return depths;
  }

  async fetchQueue(queue: QueueKey, after: number, limit: number): Promise<StoredMessage[]> {
    const r = await this.#pool.query<Row>({
      name: 'sealdesk_fetch',
      text: 'SELECT m.seq, m.envelope FROM queues q JOIN messages m ON m.queue_id = q.queue_id WHERE q.name = $1 AND m.seq > $2 ORDER BY m.seq LIMIT $3',
      values: [queue, after, limit],
    });
    return r.rows.map((row) => ({ seq: num(row['seq']), envelope: bytes(row['envelope']) }));
  }

  async queueHeads(queues: readonly QueueKey[]): Promise<Map<QueueKey, QueueHead>> {
    const r = await this.#pool.query<Row>({
      name: 'sealdesk_heads',
      // The owner of a queue key (store.ts): d:<account>:<device> or v:<conversation>.
      text: `SELECT s.name, coalesce(q.last_seq, 0) AS head,
        CASE WHEN s.name LIKE 'd:%' THEN EXISTS (SELECT 1 FROM devices d WHERE d.account_id = split_part(s.name, ':', 2) AND d.device_id = split_part(s.name, ':', 3))
             WHEN s.name LIKE 'v:%' THEN EXISTS (SELECT 1 FROM conversations c WHERE c.conversation_id = substr(s.name, 3))
             ELSE true END AS live
        FROM unnest($1::text[]) AS s(name) LEFT JOIN queues q ON q.name = s.name`,
      values: [queues],
    });
    return new Map(r.rows.map((row) => [String(row['name']), { head: num(row['head']), live: row['live'] === true }]));
  }

  async queueStats(): Promise<{ pendingMessages: number; queues: number; deepestQueue: number }> {
    const row = await this.#one(
      'SELECT count(*) AS queues, coalesce(sum(n), 0) AS pending, coalesce(max(n), 0) AS deepest FROM (SELECT count(*) AS n FROM messages GROUP BY queue_id) s',
      [],
    );
    return {
      pendingMessages: num(row?.['pending']),
      queues: num(row?.['queues']),
      deepestQueue: num(row?.['deepest']),
    };
  }

  // Attachments (bytea, stored uncompressed out of line: pg-schema.ts)

  putAttachment(a: AttachmentRecord, quotaBytes: number, now: number): Promise<PutAttachmentOutcome> {
    return this.#tx(async (c): Promise<PutAttachmentOutcome> => {
      await lock(c, `attachments:${a.conversationId}`);
      const used = num(
        (
          await one(c, 'SELECT coalesce(sum(size), 0) AS used FROM attachments WHERE conversation_id = $1', [
            a.conversationId,
          ])
        )?.['used'],
      );
      if (used + a.blob.length > quotaBytes) return 'over-quota';
      // The id may be taken in another conversation (whose lock this does not hold): the key decides.
      const inserted = await c.query(
        'INSERT INTO attachments (attachment_id, conversation_id, size, blob, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (attachment_id) DO NOTHING',
        [a.attachmentId, a.conversationId, a.blob.length, buf(a.blob), now],
      );
      return inserted.rowCount === 1 ? 'stored' : 'exists';
    });
  }

  async getAttachment(attachmentId: string): Promise<AttachmentRecord | undefined> {
    const row = await this.#one(
      'SELECT attachment_id, conversation_id, blob FROM attachments WHERE attachment_id = $1',
      [attachmentId],
    );
    return row === undefined
      ? undefined
      : {
          attachmentId: String(row['attachment_id']),
          conversationId: String(row['conversation_id']),
          blob: bytes(row['blob']),
        };
  }

  // Cluster state

  async putSingleUse(kind: string, key: string, value: Uint8Array, expiresAt: number): Promise<void> {
    await this.#pool.query(
      'INSERT INTO single_use (kind, key, value, expires_at) VALUES ($1, $2, $3, $4) ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at',
      [kind, key, buf(value), expiresAt],
    );
  }

  async takeSingleUse(kind: string, key: string, now: number): Promise<Uint8Array | undefined> {
    const row = await this.#one('DELETE FROM single_use WHERE kind = $1 AND key = $2 RETURNING value, expires_at', [
      kind,
      key,
    ]);
    return row === undefined || num(row['expires_at']) <= now ? undefined : bytes(row['value']);
  }

  async claimSetupFingerprint(fingerprint: string): Promise<boolean> {
    await this.#pool.query(
      "INSERT INTO cluster_meta (key, value) VALUES ('opaque-setup-sha256', $1) ON CONFLICT (key) DO NOTHING",
      [fingerprint],
    );
    const row = await this.#one("SELECT value FROM cluster_meta WHERE key = 'opaque-setup-sha256'", []);
    return row?.['value'] === fingerprint;
  }

  // Retention

  /**
   * Expired messages first, PG_PURGE_CHUNK_ROWS per statement (each its own transaction, so live
   * commits never wait long for a row lock), then one transaction for expired attachments, idle
   * conversations with everything of theirs, expired sessions and single-use entries. One node at
   * a time: a node that does not get the lock returns zero counts.
   */
  async purge(cutoff: number, now: number): Promise<PurgeCounts> {
    const none: PurgeCounts = { messages: 0, attachments: 0, conversations: 0, sessions: 0, conversationIds: [] };
    const client = await this.#pool.connect();
    try {
      const locked = await one(client, 'SELECT pg_try_advisory_lock($1) AS ok', [PURGE_LOCK]);
      if (locked?.['ok'] !== true) return none;
      try {
        let messages = 0;
        for (;;) {
          const r = await client.query(
            'DELETE FROM messages WHERE ctid = ANY (ARRAY(SELECT ctid FROM messages WHERE created_at < $1 LIMIT $2))',
            [cutoff, PG_PURGE_CHUNK_ROWS],
          );
          messages += r.rowCount ?? 0;
          if ((r.rowCount ?? 0) < PG_PURGE_CHUNK_ROWS) break;
        }
        // The records of sends (§16.2, resends) expire with the messages, also those of acked ones.
        for (;;) {
          const r = await client.query(
            'DELETE FROM sent_digests WHERE ctid = ANY (ARRAY(SELECT ctid FROM sent_digests WHERE created_at < $1 LIMIT $2))',
            [cutoff, PG_PURGE_CHUNK_ROWS],
          );
          if ((r.rowCount ?? 0) < PG_PURGE_CHUNK_ROWS) break;
        }
        return await inTransaction(client, async (): Promise<PurgeCounts> => {
          let attachments =
            (await client.query('DELETE FROM attachments WHERE created_at < $1', [cutoff])).rowCount ?? 0;
          const idle = (
            await client.query<Row>(
              'SELECT conversation_id FROM conversations WHERE last_active < $1 ORDER BY conversation_id',
              [cutoff],
            )
          ).rows.map((r) => String(r['conversation_id']));
          const dropped = await dropConversations(client, idle, cutoff, (n) => {
            attachments += n;
          });
          const sessions = (await client.query('DELETE FROM sessions WHERE expires_at <= $1', [now])).rowCount ?? 0;
          await client.query('DELETE FROM single_use WHERE expires_at <= $1', [now]);
          return { messages, attachments, conversations: dropped.length, sessions, conversationIds: dropped };
        });
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [PURGE_LOCK]);
      }
    } finally {
      client.release();
    }
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
    this.#closing ??= this.#pool.end();
    return this.#closing;
  }

  #needsTouch(conversationId: string, now: number): boolean {
    const last = this.#touched.get(conversationId);
    return last === undefined || now < last || now - last >= PG_TOUCH_INTERVAL_MS;
  }

  #one(text: string, values: readonly unknown[]): Promise<Row | undefined> {
    return one(this.#pool, text, values);
  }

  /** Runs `body` in a transaction on one pooled connection, again after a deadlock. */
  #tx<T>(body: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.#retrying(async () => {
      const client = await this.#pool.connect();
      try {
        return await inTransaction(client, () => body(client));
      } finally {
        client.release();
      }
    });
  }

  async #retrying<T>(run: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await run();
      } catch (error) {
        if (attempt >= RETRIES || !isRetryable(error)) throw error;
      }
    }
  }
}

async function one(db: Queryable, text: string, values: readonly unknown[]): Promise<Row | undefined> {
  return (await db.query<Row>(text, [...values])).rows[0];
}

async function inTransaction<T>(client: pg.PoolClient, body: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await body();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    // A broken connection cannot roll back; the server has then ended the transaction anyway.
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** A transaction-scoped advisory lock on a name (released at COMMIT or ROLLBACK). */
async function lock(client: pg.PoolClient, name: string): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [name]);
}

async function countPrekeys(db: Queryable, accountId: string, deviceId: string): Promise<number> {
  return num(
    (
      await one(db, 'SELECT count(*) AS n FROM one_time_prekeys WHERE account_id = $1 AND device_id = $2', [
        accountId,
        deviceId,
      ])
    )?.['n'],
  );
}

/**
 * Deletes queue rows and their messages. The rows are deleted first and in name order, as
 * commits lock them: a commit in flight on a queue finishes before its row goes, and its
 * messages are then deleted here too.
 */
async function dropQueues(client: pg.PoolClient, names: readonly QueueKey[]): Promise<void> {
  if (names.length === 0) return;
  const ids = (
    await client.query<Row>(
      'DELETE FROM queues WHERE queue_id IN (SELECT queue_id FROM queues WHERE name = ANY ($1::text[]) ORDER BY name FOR UPDATE) RETURNING queue_id',
      [[...names]],
    )
  ).rows.map((r) => String(r['queue_id']));
  if (ids.length > 0) await client.query('DELETE FROM messages WHERE queue_id = ANY ($1::bigint[])', [ids]);
}

/**
 * Deletes conversations with their visitor queues, their messages in every queue (one scan of
 * the message table for all of them) and their attachments; returns the ids deleted. Locks are
 * taken as commits take them: the visitor queue rows first, then the conversation rows (a commit
 * touches last_active after locking its queues). With `idleBefore` (retention), a conversation is
 * deleted only if it is still idle once its queue is locked, and everything of it only then.
 */
async function dropConversations(
  client: pg.PoolClient,
  conversationIds: readonly string[],
  idleBefore?: number,
  onAttachments: (deleted: number) => void = () => undefined,
): Promise<string[]> {
  if (conversationIds.length === 0) return [];
  await client.query('SELECT 1 FROM queues WHERE name = ANY ($1::text[]) ORDER BY name FOR UPDATE', [
    conversationIds.map(visitorQueue),
  ]);
  const deleted = (
    await client.query<Row>(
      idleBefore === undefined
        ? 'DELETE FROM conversations WHERE conversation_id = ANY ($1::text[]) RETURNING conversation_id'
        : 'DELETE FROM conversations WHERE conversation_id = ANY ($1::text[]) AND last_active < $2 RETURNING conversation_id',
      idleBefore === undefined ? [[...conversationIds]] : [[...conversationIds], idleBefore],
    )
  ).rows.map((row) => String(row['conversation_id']));
  // An explicit deletion clears whatever is stored under the ids, as the other stores do.
  const ids = idleBefore === undefined ? [...conversationIds] : deleted;
  if (ids.length === 0) return deleted;
  await dropQueues(client, ids.map(visitorQueue));
  await client.query('DELETE FROM messages WHERE conversation_id = ANY ($1::text[])', [ids]);
  onAttachments(
    (await client.query('DELETE FROM attachments WHERE conversation_id = ANY ($1::text[])', [ids])).rowCount ?? 0,
  );
  return deleted;
}
