/** A store's commit, as the cursors only (most store tests look at nothing else). */
import type { Ack, NewMessage, Store } from '../../../relay/store/store.js';

export async function commitSeqs(
  store: Store,
  messages: readonly NewMessage[],
  acks: readonly Ack[],
  now: number,
): Promise<number[]> {
  return (await store.commit(messages, acks, now)).map((c) => c.seq);
}
