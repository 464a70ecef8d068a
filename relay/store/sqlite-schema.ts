/**
 * The SQLite schema of the relay (relay/store/sqlite-store.ts). Ids are lower-case hex text,
 * except messages.conversation_id (16 raw bytes, see sqlite-keys.ts) and messages.queue_id.
 *
 * Version 3 keeps one table B-tree plus ONE index per queued message:
 * - `seq` is the rowid, assigned by the store (no AUTOINCREMENT, so no sqlite_sequence write);
 *   `meta.next_seq` is the persisted high-water mark, so a cursor is never reused even after
 *   every message was acknowledged and the relay restarted.
 * - `queues` maps each receiver queue key (`d:<account>:<device>` or `v:<conversation>`, 67 or
 *   34 characters) to a small integer, so `messages_queue (queue_id, seq)` has ~12-byte entries
 *   instead of ~80-byte ones (version 2 indexed the text key): a batch of appends and acks to
 *   random queues dirties ~6x fewer index pages, which is what the WAL and the checkpoint copy.
 *   Measured with scripts/bench/store-micro.ts (256 B): 23 % fewer bytes written per message
 *   and 10-20 % less CPU than version 2. (A 52-bit hash of the key in the index, tried before
 *   version 2, made commits dearer: the key had to be checked in the row.)
 *   A queue row is deleted with its device or conversation, and by the retention purge once the
 *   queue is empty; a queue that gets messages again gets a new id (sqlite-queue-ids.ts).
 *   No foreign key: the store deletes a queue's messages with its row, and a key check per
 *   append would cost an extra B-tree lookup.
 * - no created_at index: created_at is non-decreasing in seq (the store enforces it), so purge
 *   finds the retention boundary by binary search over seq.
 * - no conversation_id index: deleteConversation (rare) scans the table.
 *
 * Version 4 adds `sent`: one row per message appended within retention, keyed by its cursor, with
 * the message's created_at and its sendDigest (SHA-256 of queue key and envelope, send-digest.ts)
 * under a UNIQUE index. A send whose digest is there is a resend (docs/PROTOCOL.md §16.2) and
 * answers that cursor. The row outlives the message's ack (so a resend after the ack is still
 * known) and goes with the retention purge, by the same binary search over seq as messages
 * (created_at is the message's, non-decreasing in seq). Not keyed by queue_id: queue ids are
 * given again after an empty queue's row is swept. About 90 bytes per message (a 45-byte row and a
 * 40-byte index entry), whatever the envelope size.
 */
export const SCHEMA_VERSION = 4;

/** Tables every version has, unchanged since version 1. */
const COMMON = `
CREATE TABLE IF NOT EXISTS accounts (
  account_id    TEXT PRIMARY KEY,
  username      TEXT NOT NULL UNIQUE,
  opaque_record TEXT NOT NULL,
  created_at    INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS sessions (
  token_hash BLOB PRIMARY KEY,
  account_id TEXT NOT NULL,
  device_id  TEXT,
  expires_at INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS devices (
  account_id  TEXT NOT NULL,
  device_id   TEXT NOT NULL,
  signing_key BLOB NOT NULL,
  PRIMARY KEY (account_id, device_id)
) STRICT;
CREATE TABLE IF NOT EXISTS device_lists (
  account_id TEXT NOT NULL,
  version    INTEGER NOT NULL,
  blob       BLOB NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (account_id, version)
) STRICT;
CREATE TABLE IF NOT EXISTS bundles (
  account_id TEXT NOT NULL,
  device_id  TEXT NOT NULL,
  blob       BLOB NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (account_id, device_id)
) STRICT;
CREATE TABLE IF NOT EXISTS one_time_prekeys (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id TEXT NOT NULL,
  device_id  TEXT NOT NULL,
  blob       BLOB NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS one_time_prekeys_device ON one_time_prekeys (account_id, device_id, id);
CREATE TABLE IF NOT EXISTS widget_configs (
  account_id TEXT PRIMARY KEY,
  blob       BLOB NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS conversations (
  conversation_id TEXT PRIMARY KEY,
  account_id      TEXT NOT NULL,
  capability_hash BLOB NOT NULL,
  last_active     INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS attachments (
  attachment_id   TEXT PRIMARY KEY,
  conversation_id TEXT NOT NULL,
  size            INTEGER NOT NULL,
  blob            BLOB NOT NULL,
  created_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS attachments_conversation ON attachments (conversation_id);
CREATE INDEX IF NOT EXISTS attachments_created ON attachments (created_at);
`;

/** The persisted cursor high-water mark (since version 2). */
const META = `
CREATE TABLE meta (
  id       INTEGER PRIMARY KEY CHECK (id = 0),
  next_seq INTEGER NOT NULL
) STRICT;
`;

/**
 * The version 2 message tables (the queue key as text), kept for migrations from version 1,
 * which go through version 2 (sqlite-migration.ts).
 */
export const MESSAGES_V2 = `${META}CREATE TABLE messages (
  seq             INTEGER PRIMARY KEY,
  created_at      INTEGER NOT NULL,
  conversation_id BLOB NOT NULL,
  queue           TEXT NOT NULL,
  envelope        BLOB NOT NULL
) STRICT;
CREATE INDEX messages_queue ON messages (queue, seq);
`;

/** The version 3 queue table (meta is unchanged since version 2). */
export const QUEUES_V3 = `
CREATE TABLE queues (
  queue_id INTEGER PRIMARY KEY,
  name     TEXT NOT NULL UNIQUE
) STRICT;
`;

/**
 * The version 3 message table. Columns read by scans and ack deletes come before the envelope,
 * so they sit in the row's first page and a large envelope's overflow pages are not read.
 */
export const MESSAGES_V3 = `
CREATE TABLE messages (
  seq             INTEGER PRIMARY KEY,
  created_at      INTEGER NOT NULL,
  conversation_id BLOB NOT NULL,
  queue_id        INTEGER NOT NULL,
  envelope        BLOB NOT NULL
) STRICT;
CREATE INDEX messages_queue ON messages (queue_id, seq);
`;

/** The version 4 record of sends (resend detection, see above). */
export const SENT_V4 = `
CREATE TABLE sent (
  seq        INTEGER PRIMARY KEY,
  created_at INTEGER NOT NULL,
  digest     BLOB NOT NULL UNIQUE
) STRICT;
`;

/** A new database: everything at version 4. */
export const SCHEMA = `${COMMON}${META}${QUEUES_V3}${MESSAGES_V3}${SENT_V4}INSERT INTO meta (id, next_seq) VALUES (0, 1);`;

/** Version 1 databases get the unchanged tables from here (all IF NOT EXISTS). */
export const COMMON_SCHEMA = COMMON;
