/**
 * The IndexedDB layout of the tiny adapter, as a list of upgrades: upgrade i turns a version-i
 * database into version i+1 (inside the versionchange transaction). The database version is the
 * list's length. To change a record layout, raise its RECORD_SCHEMAS number (records.ts) and add
 * an upgrade here that rewrites every record of that kind; never edit a shipped upgrade.
 */
export type IdbUpgrade = (db: IDBDatabase, tx: IDBTransaction) => void;

/** A list store: rows by an increasing seq, indexed by [conversation, seq]. */
function createList(db: IDBDatabase, name: string): void {
  db.createObjectStore(name, { keyPath: 'seq', autoIncrement: true }).createIndex('conversation', [
    'conversation',
    'seq',
  ]);
}

export const IDB_UPGRADES: readonly IdbUpgrade[] = [
  // 0 → 1: records by string key; outbox and history rows by an increasing seq, indexed by conversation.
  (db) => {
    db.createObjectStore('records');
    for (const name of ['outbox', 'history']) {
      db.createObjectStore(name, { keyPath: 'seq', autoIncrement: true }).createIndex('conversation', [
        'conversation',
        'seq',
      ]);
    }
  },
  // 1 → 2: no layout change. From this version on, X25519 private keys inside stored states may be
  // in their wrapped form (stored-keys.ts). A build from before the wrapped form opens version 1,
  // so it gets VersionError (StorageSchemaError, "update the app") instead of misreading a wrapped
  // key as a CryptoKey; this build still reads records written in the older form.
  () => undefined,
  // 2 → 3: the archive list (issue #11), one row per item, indexed by conversation like the others.
  (db) => {
    createList(db, 'archiveItems');
  },
  // 3 → 4: a conversation's shown messages (issue #11), one row each. Records written before keep
  // their messages inside the conversation state until the runtime reads them (conversation-messages.ts).
  (db) => {
    createList(db, 'messages');
  },
];
