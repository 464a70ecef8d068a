/** The SQLite schema of the relay (relay/store/sqlite-store.ts). Ids are lower-case hex text. */
export const SCHEMA_VERSION = 1;

export const SCHEMA = `
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
CREATE TABLE IF NOT EXISTS messages (
  seq             INTEGER PRIMARY KEY AUTOINCREMENT,
  queue           TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  envelope        BLOB NOT NULL,
  created_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS messages_queue ON messages (queue, seq);
CREATE INDEX IF NOT EXISTS messages_conversation ON messages (conversation_id);
CREATE INDEX IF NOT EXISTS messages_created ON messages (created_at);
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
