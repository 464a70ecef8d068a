/**
 * The PostgreSQL schema of the relay (relay/store/pg-store.ts), as versioned migrations that
 * pg-migrate.ts applies at start. A migration is never edited once released: a change is a new
 * entry. `oldestCompatible` is the oldest relay schema version whose code still runs against the
 * database after that migration (so nodes of the previous release keep working during a rolling
 * upgrade as long as the new migration only adds); pg-migrate.ts refuses to start a relay older
 * than that.
 *
 * Version 1:
 * - Ids are lower-case hex text, blobs bytea stored uncompressed (STORAGE EXTERNAL: ciphertext
 *   does not compress, so trying would only cost CPU). Rows of `messages` up to 8 KB stay in
 *   the table page instead of TOAST (toast_tuple_target).
 * - `sealdesk_message_seq` hands out every cursor, across all nodes; CACHE 1 (the default), so
 *   values are handed out in call order (a per-session cache would hand out ranges out of order).
 * - `queues` gives each receiver queue a small id and holds its newest cursor (`last_seq`). A
 *   commit locks the rows of its queues (in name order, so concurrent commits cannot deadlock)
 *   BEFORE it draws cursors, so within a queue cursors are drawn and committed in the same order:
 *   a message is visible only after every earlier message of its queue (SharedStore).
 * - `messages` is keyed (queue_id, seq): appends, fetches and acks use that one B-tree. The
 *   retention purge finds old rows with a BRIN index on created_at (a few pages, updated only when
 *   a range is summarised); deleting a conversation scans the table (rare, as in SQLite).
 * - `single_use` holds OPAQUE login states and device challenges between their two requests, so
 *   a login may start on one node and finish on another; `cluster_meta` the setup fingerprint.
 */

export interface Migration {
  readonly version: number;
  readonly oldestCompatible: number;
  readonly sql: string;
}

const V1 = `
CREATE TABLE accounts (
  account_id    text PRIMARY KEY,
  username      text NOT NULL UNIQUE,
  opaque_record text NOT NULL,
  created_at    bigint NOT NULL
);
CREATE TABLE sessions (
  token_hash bytea PRIMARY KEY,
  account_id text NOT NULL,
  device_id  text,
  expires_at bigint NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_at);
CREATE TABLE devices (
  account_id  text NOT NULL,
  device_id   text NOT NULL,
  signing_key bytea NOT NULL,
  PRIMARY KEY (account_id, device_id)
);
CREATE TABLE device_lists (
  account_id text NOT NULL,
  version    integer NOT NULL,
  blob       bytea NOT NULL,
  created_at bigint NOT NULL,
  PRIMARY KEY (account_id, version)
);
CREATE TABLE bundles (
  account_id text NOT NULL,
  device_id  text NOT NULL,
  blob       bytea NOT NULL,
  updated_at bigint NOT NULL,
  PRIMARY KEY (account_id, device_id)
);
CREATE TABLE one_time_prekeys (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id text NOT NULL,
  device_id  text NOT NULL,
  blob       bytea NOT NULL
);
CREATE INDEX one_time_prekeys_device ON one_time_prekeys (account_id, device_id, id);
CREATE TABLE widget_configs (
  account_id text PRIMARY KEY,
  blob       bytea NOT NULL,
  updated_at bigint NOT NULL
);
CREATE TABLE conversations (
  conversation_id text PRIMARY KEY,
  account_id      text NOT NULL,
  capability_hash bytea NOT NULL,
  last_active     bigint NOT NULL
);
CREATE INDEX conversations_last_active ON conversations (last_active);
CREATE TABLE attachments (
  attachment_id   text PRIMARY KEY,
  conversation_id text NOT NULL,
  size            bigint NOT NULL,
  blob            bytea NOT NULL,
  created_at      bigint NOT NULL
);
ALTER TABLE attachments ALTER COLUMN blob SET STORAGE EXTERNAL;
CREATE INDEX attachments_conversation ON attachments (conversation_id);
CREATE INDEX attachments_created ON attachments (created_at);
CREATE SEQUENCE sealdesk_message_seq CACHE 1;
CREATE TABLE queues (
  queue_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name     text NOT NULL UNIQUE,
  last_seq bigint NOT NULL DEFAULT 0
);
CREATE TABLE messages (
  queue_id        bigint NOT NULL,
  seq             bigint NOT NULL,
  created_at      bigint NOT NULL,
  conversation_id text NOT NULL,
  envelope        bytea NOT NULL,
  PRIMARY KEY (queue_id, seq)
) WITH (toast_tuple_target = 8160);
ALTER TABLE messages ALTER COLUMN envelope SET STORAGE EXTERNAL;
CREATE INDEX messages_created ON messages USING brin (created_at);
CREATE TABLE single_use (
  kind       text NOT NULL,
  key        text NOT NULL,
  value      bytea NOT NULL,
  expires_at bigint NOT NULL,
  PRIMARY KEY (kind, key)
);
CREATE INDEX single_use_expires ON single_use (expires_at);
CREATE TABLE cluster_meta (
  key   text PRIMARY KEY,
  value text NOT NULL
);

-- Group commit of one node's batch (PgStore.commitChained), one round trip. Envelopes arrive as
-- one bytea with offsets and lengths (binary, no array quoting). Returns (seq, previous) per
-- message in input order.
CREATE FUNCTION sealdesk_commit(
  p_queues text[], p_conversations text[], p_envelopes bytea, p_offsets integer[], p_lengths integer[],
  p_ack_queues text[], p_ack_upto bigint[], p_touch text[], p_now bigint
) RETURNS TABLE (seq bigint, previous bigint) LANGUAGE plpgsql AS $fn$
DECLARE
  n integer := coalesce(array_length(p_queues, 1), 0);
  wanted integer;
  q_ids bigint[];
  q_names text[];
  q_lasts bigint[];
  seqs bigint[];
BEGIN
  IF n > 0 THEN
    SELECT count(DISTINCT q) INTO wanted FROM unnest(p_queues) AS q;
    -- Queue rows first, created if new, then locked: both in name order (no deadlock between
    -- nodes). A row deleted meanwhile (its device or conversation removed) is created again.
    LOOP
      INSERT INTO queues (name) SELECT DISTINCT q FROM unnest(p_queues) AS q ORDER BY q ON CONFLICT (name) DO NOTHING;
      SELECT array_agg(l.queue_id), array_agg(l.name), array_agg(l.last_seq) INTO q_ids, q_names, q_lasts
        FROM (SELECT x.queue_id, x.name, x.last_seq FROM queues x WHERE x.name = ANY (p_queues) ORDER BY x.name FOR UPDATE) l;
      EXIT WHEN coalesce(array_length(q_names, 1), 0) = wanted;
    END LOOP;
    -- Cursors are drawn only now that every queue of the batch is locked.
    seqs := ARRAY(SELECT nextval('sealdesk_message_seq') FROM generate_series(1, n));
    RETURN QUERY
    WITH m AS (
      SELECT i, b.queue_id, b.last_seq, seqs[i] AS s
      FROM generate_subscripts(p_queues, 1) AS i
      JOIN unnest(q_ids, q_names, q_lasts) AS b(queue_id, name, last_seq) ON b.name = p_queues[i]
    ), ins AS (
      INSERT INTO messages (queue_id, seq, created_at, conversation_id, envelope)
      SELECT m.queue_id, m.s, p_now, p_conversations[m.i], substring(p_envelopes FROM p_offsets[m.i] + 1 FOR p_lengths[m.i])
      FROM m
    ), upd AS (
      UPDATE queues q SET last_seq = x.top FROM (SELECT m.queue_id, max(m.s) AS top FROM m GROUP BY m.queue_id) x
      WHERE q.queue_id = x.queue_id
    )
    SELECT m.s, coalesce(lag(m.s) OVER (PARTITION BY m.queue_id ORDER BY m.i), m.last_seq) FROM m ORDER BY m.i;
  END IF;
  IF coalesce(array_length(p_ack_queues, 1), 0) > 0 THEN
    DELETE FROM messages m USING queues q, unnest(p_ack_queues, p_ack_upto) AS a(name, upto)
      WHERE q.name = a.name AND m.queue_id = q.queue_id AND m.seq <= a.upto;
  END IF;
  IF coalesce(array_length(p_touch, 1), 0) > 0 THEN
    UPDATE conversations SET last_active = p_now WHERE conversation_id = ANY (p_touch);
  END IF;
END
$fn$;
`;

/**
 * Version 2 (issue #10): each device's role at the relay. Only adds a table, so version 1 nodes
 * keep working during a rolling upgrade (a device they enrol has no row and counts as `owner`, as
 * every device enrolled before roles does); sessions get an index on their device for revocation.
 */
const V2 = `
CREATE TABLE device_roles (
  account_id text NOT NULL,
  device_id  text NOT NULL,
  role       text NOT NULL,
  PRIMARY KEY (account_id, device_id)
);
CREATE INDEX sessions_device ON sessions (account_id, device_id);
`;

/**
 * Version 3 (issue #11, recovery): the AIK backup of each account (PROTOCOL §11.2, §16.8). Only adds
 * a table, so version 1 and 2 nodes keep working during a rolling upgrade (they have no backup route).
 */
const V3 = `
CREATE TABLE identity_backups (
  account_id  text PRIMARY KEY,
  backup      bytea NOT NULL,
  account_key bytea NOT NULL,
  signature   bytea NOT NULL,
  updated_at  bigint NOT NULL
);
`;

/**
 * Version 4 (issue #15 item 4): each device's Web Push subscription (PROTOCOL §16.9). Only adds a
 * table, so older nodes keep working; a device they remove keeps its row, which nothing reads
 * again (no message is stored for a removed device).
 */
const V4 = `
CREATE TABLE push_subscriptions (
  account_id text NOT NULL,
  device_id  text NOT NULL,
  endpoint   text NOT NULL,
  p256dh     bytea NOT NULL,
  auth       bytea NOT NULL,
  updated_at bigint NOT NULL,
  PRIMARY KEY (account_id, device_id)
);
`;

/**
 * Version 5 (PROTOCOL §9): the inbox archive, sealed archive-key grants per device and write-once
 * history records per account (pg-archive.ts). Only adds tables: older nodes keep working (they
 * serve no archive routes).
 */
const V5 = `
CREATE TABLE archive_grants (
  seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id text NOT NULL,
  device_id  text NOT NULL,
  blob       bytea NOT NULL,
  created_at bigint NOT NULL
);
CREATE INDEX archive_grants_device ON archive_grants (account_id, device_id, seq);
CREATE TABLE history_records (
  seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id text NOT NULL,
  author     text NOT NULL,
  record_id  text NOT NULL,
  blob       bytea NOT NULL,
  created_at bigint NOT NULL,
  UNIQUE (account_id, author, record_id)
);
ALTER TABLE history_records ALTER COLUMN blob SET STORAGE EXTERNAL;
CREATE INDEX history_records_account ON history_records (account_id, seq);
`;

/**
 * Version 6 (docs/PROTOCOL.md §16.2, `send` is idempotent): `sent_digests` remembers every message
 * appended within retention by its sendDigest (SHA-256 of queue key and envelope,
 * relay/store/send-digest.ts) with its cursor; it outlives the message's ack and goes with the
 * retention purge (a BRIN index on created_at, as messages). sealdesk_commit_once is
 * sealdesk_commit that, with the batch's queues locked, answers a send whose digest is recorded (or
 * appears earlier in the batch) with the first cursor and `resent`, and appends nothing for it.
 * Only adds a table and a function: nodes of version 5 keep working during a rolling upgrade
 * (they call sealdesk_commit, which neither records nor detects resends). About 100 bytes per
 * message (a 32-byte key, two bigints, tuple header, and its primary-key index entry).
 */
const V6 = `
CREATE TABLE sent_digests (
  digest     bytea PRIMARY KEY,
  seq        bigint NOT NULL,
  created_at bigint NOT NULL
);
CREATE INDEX sent_digests_created ON sent_digests USING brin (created_at);

CREATE FUNCTION sealdesk_commit_once(
  p_queues text[], p_conversations text[], p_envelopes bytea, p_offsets integer[], p_lengths integer[],
  p_digests bytea[], p_ack_queues text[], p_ack_upto bigint[], p_touch text[], p_now bigint
) RETURNS TABLE (seq bigint, previous bigint, resent boolean) LANGUAGE plpgsql AS $fn$
DECLARE
  n integer := coalesce(array_length(p_queues, 1), 0);
  wanted integer;
  q_ids bigint[];
  q_names text[];
  q_lasts bigint[];
  known bigint[];
  firsts integer[];
  fresh integer;
  drawn bigint[];
  seqs bigint[];
  k integer := 0;
BEGIN
  IF n > 0 THEN
    SELECT count(DISTINCT q) INTO wanted FROM unnest(p_queues) AS q;
    -- As sealdesk_commit: queue rows created if new and locked, in name order. A resend always
    -- goes to the queue of its first copy, so two equal sends from two nodes serialise here.
    LOOP
      INSERT INTO queues (name) SELECT DISTINCT q FROM unnest(p_queues) AS q ORDER BY q ON CONFLICT (name) DO NOTHING;
      SELECT array_agg(l.queue_id), array_agg(l.name), array_agg(l.last_seq) INTO q_ids, q_names, q_lasts
        FROM (SELECT x.queue_id, x.name, x.last_seq FROM queues x WHERE x.name = ANY (p_queues) ORDER BY x.name FOR UPDATE) l;
      EXIT WHEN coalesce(array_length(q_names, 1), 0) = wanted;
    END LOOP;
    -- Each send's recorded cursor (a resend), and the first send of the batch with its digest.
    SELECT array_agg(x.prior ORDER BY x.i), array_agg(x.head ORDER BY x.i) INTO known, firsts
      FROM (SELECT j.i, (SELECT d.seq FROM sent_digests d WHERE d.digest = p_digests[j.i]) AS prior,
                   min(j.i) OVER (PARTITION BY p_digests[j.i]) AS head
            FROM generate_subscripts(p_queues, 1) AS j(i)) x;
    SELECT count(*) INTO fresh FROM generate_subscripts(p_queues, 1) AS j(i)
      WHERE known[j.i] IS NULL AND firsts[j.i] = j.i;
    -- Cursors are drawn only now that every queue of the batch is locked, for new messages only.
    drawn := ARRAY(SELECT nextval('sealdesk_message_seq') FROM generate_series(1, fresh));
    seqs := array_fill(0::bigint, ARRAY[n]);
    FOR j IN 1..n LOOP
      IF known[j] IS NOT NULL THEN
        seqs[j] := known[j];
      ELSIF firsts[j] <> j THEN
        seqs[j] := seqs[firsts[j]];
      ELSE
        k := k + 1;
        seqs[j] := drawn[k];
      END IF;
    END LOOP;
    RETURN QUERY
    WITH m AS (
      SELECT g.i, b.queue_id, b.last_seq, seqs[g.i] AS s, (known[g.i] IS NOT NULL OR firsts[g.i] <> g.i) AS again
      FROM generate_subscripts(p_queues, 1) AS g(i)
      JOIN unnest(q_ids, q_names, q_lasts) AS b(queue_id, name, last_seq) ON b.name = p_queues[g.i]
    ), f AS (
      SELECT * FROM m WHERE NOT m.again
    ), ins AS (
      INSERT INTO messages (queue_id, seq, created_at, conversation_id, envelope)
      SELECT f.queue_id, f.s, p_now, p_conversations[f.i], substring(p_envelopes FROM p_offsets[f.i] + 1 FOR p_lengths[f.i])
      FROM f
    ), dig AS (
      INSERT INTO sent_digests (digest, seq, created_at) SELECT p_digests[f.i], f.s, p_now FROM f
    ), upd AS (
      UPDATE queues q SET last_seq = x.top FROM (SELECT f.queue_id, max(f.s) AS top FROM f GROUP BY f.queue_id) x
      WHERE q.queue_id = x.queue_id
    )
    SELECT m.s,
      CASE WHEN m.again THEN 0::bigint
           ELSE coalesce(lag(m.s) OVER (PARTITION BY m.queue_id, m.again ORDER BY m.i), m.last_seq) END,
      m.again
    FROM m ORDER BY m.i;
  END IF;
  IF coalesce(array_length(p_ack_queues, 1), 0) > 0 THEN
    DELETE FROM messages m USING queues q, unnest(p_ack_queues, p_ack_upto) AS a(name, upto)
      WHERE q.name = a.name AND m.queue_id = q.queue_id AND m.seq <= a.upto;
  END IF;
  IF coalesce(array_length(p_touch, 1), 0) > 0 THEN
    UPDATE conversations SET last_active = p_now WHERE conversation_id = ANY (p_touch);
  END IF;
END
$fn$;
`;

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, oldestCompatible: 1, sql: V1 },
  { version: 2, oldestCompatible: 1, sql: V2 },
  { version: 3, oldestCompatible: 1, sql: V3 },
  { version: 4, oldestCompatible: 1, sql: V4 },
  { version: 5, oldestCompatible: 1, sql: V5 },
  { version: 6, oldestCompatible: 1, sql: V6 },
];

/** The schema version this code writes and reads. */
export const PG_SCHEMA_VERSION = 6;
