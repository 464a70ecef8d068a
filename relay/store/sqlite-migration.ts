/**
 * Opens the schema at SCHEMA_VERSION: creates a new database, or migrates a version 1 or 2
 * database in place, in one transaction (a failure leaves it at its version); version 1 goes
 * through version 2.
 *
 * Version 1 -> 2 (sqlite-schema.ts): the messages table is rebuilt with store-assigned seqs, one
 * index and 16-byte conversation ids. Pending messages keep their seq; created_at
 * becomes the running maximum in seq order (never earlier than stored, so nothing expires
 * sooner), which makes it non-decreasing in seq as version 2 requires. meta.next_seq starts past
 * both the largest seq present and AUTOINCREMENT's high-water mark (sqlite_sequence), so a cursor
 * handed out before the migration is never handed out again.
 *
 * Version 2 -> 3: every distinct queue key of the messages table gets a row in `queues`, and the
 * messages table is rebuilt with that queue_id instead of the key. seq, created_at, the
 * conversation id, the envelope and meta.next_seq are kept as they are.
 *
 * Version 3 -> 4: the `sent` table (resends, docs/PROTOCOL.md §16.2), filled with the digests of
 * the messages still queued (a message queued twice before the upgrade keeps its first cursor).
 */
import type Database from 'better-sqlite3';
import {
  COMMON_SCHEMA,
  MESSAGES_V2,
  MESSAGES_V3,
  QUEUES_V3,
  SCHEMA,
  SCHEMA_VERSION,
  SENT_V4,
} from './sqlite-schema.js';
import { conversationKey } from './sqlite-keys.js';
import { sendDigest } from './send-digest.js';

export function openSchema(db: Database.Database): void {
  const version = Number(db.pragma('user_version', { simple: true }));
  if (version === SCHEMA_VERSION) return;
  if (version > SCHEMA_VERSION)
    throw new Error(`relay database schema ${String(version)} is newer than this relay (${String(SCHEMA_VERSION)})`);
  db.transaction(() => {
    if (version === 0) db.exec(SCHEMA);
    else if (version === 1) {
      migrateV1(db);
      migrateV2(db);
      migrateV3(db);
    } else if (version === 2) {
      migrateV2(db);
      migrateV3(db);
    } else if (version === 3) migrateV3(db);
    else throw new Error(`relay database schema ${String(version)} is unknown`);
    db.pragma(`user_version = ${String(SCHEMA_VERSION)}`);
  }).immediate();
}

function migrateV1(db: Database.Database): void {
  db.exec(COMMON_SCHEMA);
  db.function('sealdesk_conversation_key', { deterministic: true }, (id: unknown) => {
    const key = conversationKey(String(id));
    // Never produced by the relay; stops the migration (nothing changes) instead of guessing.
    if (key === undefined) throw new TypeError('version 1 message with a malformed conversation id');
    return key;
  });
  const old = db
    .prepare(
      `SELECT max(
      coalesce((SELECT max(seq) FROM messages), 0),
      coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'messages'), 0)) AS high`,
    )
    .get() as { high: number };
  // The v1 indexes would keep their names on the renamed table: drop them first.
  db.exec(
    'DROP INDEX IF EXISTS messages_queue; DROP INDEX IF EXISTS messages_conversation; DROP INDEX IF EXISTS messages_created;',
  );
  db.exec('ALTER TABLE messages RENAME TO messages_v1');
  db.exec(MESSAGES_V2);
  db.exec(`INSERT INTO messages (seq, created_at, conversation_id, queue, envelope)
    SELECT seq, max(created_at) OVER (ORDER BY seq ROWS UNBOUNDED PRECEDING),
           sealdesk_conversation_key(conversation_id), queue, envelope
    FROM messages_v1 ORDER BY seq`);
  db.exec('DROP TABLE messages_v1');
  db.prepare('INSERT INTO meta (id, next_seq) VALUES (0, ?)').run(old.high + 1);
}

function migrateV2(db: Database.Database): void {
  db.exec(QUEUES_V3);
  // Ids in order of each queue's oldest message: deterministic, and any order would do.
  db.exec('INSERT INTO queues (name) SELECT queue FROM messages GROUP BY queue ORDER BY min(seq)');
  db.exec('DROP INDEX messages_queue');
  db.exec('ALTER TABLE messages RENAME TO messages_v2');
  db.exec(MESSAGES_V3);
  db.exec(`INSERT INTO messages (seq, created_at, conversation_id, queue_id, envelope)
    SELECT m.seq, m.created_at, m.conversation_id, q.queue_id, m.envelope
    FROM messages_v2 AS m JOIN queues AS q ON q.name = m.queue ORDER BY m.seq`);
  db.exec('DROP TABLE messages_v2');
}

function migrateV3(db: Database.Database): void {
  db.exec(SENT_V4);
  db.function('sealdesk_send_digest', { deterministic: true }, (queue: unknown, envelope: unknown) => {
    if (typeof queue !== 'string' || !(envelope instanceof Uint8Array))
      throw new TypeError('version 3 message without a queue name or an envelope blob');
    return sendDigest(queue, envelope);
  });
  db.exec(`INSERT OR IGNORE INTO sent (seq, created_at, digest)
    SELECT m.seq, m.created_at, sealdesk_send_digest(q.name, m.envelope)
    FROM messages AS m JOIN queues AS q ON q.queue_id = m.queue_id ORDER BY m.seq`);
}
