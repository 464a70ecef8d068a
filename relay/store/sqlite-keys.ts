/** Compact column encoding of the SQLite store's message table (sqlite-schema.ts, version 2). */

const HEX_ID = /^[0-9a-f]{32}$/;

/**
 * A conversation id (32 lower-case hex digits at the Store boundary, relay/store/store.ts) as its
 * 16 bytes; undefined for anything else, which the store refuses to queue rather than store
 * ambiguously (the relay only produces ids decoded from 16 bytes or validated, shared/wire/ids.ts).
 */
export function conversationKey(conversationId: string): Buffer | undefined {
  return HEX_ID.test(conversationId) ? Buffer.from(conversationId, 'hex') : undefined;
}
