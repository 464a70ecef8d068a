/**
 * The Dexie layout of the agent apps' store, as a list of versions. Each version names its
 * tables and, from version 2 on, an upgrade that rewrites the records of the previous layout
 * (Dexie runs it inside the versionchange transaction). To change a record layout, raise its
 * RECORD_SCHEMAS number (../records.ts) and append a version here whose upgrade rewrites every
 * record of that kind; never edit a shipped version.
 *
 *   records  outbound string key → { schema, kind, value }
 *   outbox   ++seq, [conversation+seq]   (seq: increasing, never reused)
 *   history  ++seq, [conversation+seq]
 *   archiveItems  ++seq, [conversation+seq]   (version 2, issue #11: one row per archive item)
 *   messages  ++seq, [conversation+seq]   (version 3, issue #11: one row per shown message)
 */
import type { Transaction } from 'dexie';

export interface DexieVersion {
  readonly version: number;
  readonly stores: Readonly<Record<string, string | null>>;
  readonly upgrade?: (tx: Transaction) => Promise<void>;
}

export const DEXIE_VERSIONS: readonly DexieVersion[] = [
  {
    version: 1,
    stores: { records: '', outbox: '++seq, [conversation+seq]', history: '++seq, [conversation+seq]' },
  },
  // 1 → 2: the archive list, one row per item. No stored record changes here: the items a version-1
  // archive state held in itself move out when the runtime reads it (agent-archive-items.ts), the
  // same in every adapter, since this layer never looks inside a state.
  { version: 2, stores: { archiveItems: '++seq, [conversation+seq]' } },
  // 2 → 3: a conversation's shown messages, one row each (issue #11). Likewise, a conversation state
  // that still holds its messages moves them to rows when the runtime reads it (conversation-messages.ts).
  { version: 3, stores: { messages: '++seq, [conversation+seq]' } },
];
