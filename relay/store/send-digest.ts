/**
 * The key under which a store remembers a send (docs/PROTOCOL.md §16.2, `send` is idempotent):
 * SHA-256 over the receiver queue's key and the envelope bytes, so one fixed 32-byte value per
 * message stands for the pair (queue, envelope). The queue key is length-prefixed (u16), so no two
 * different pairs hash the same input.
 *
 * Why the pair and not more: equal bytes in one queue come only from someone who holds those
 * bytes. The envelope binds its conversation and recipient (§2.6), the relay routes by them
 * (§16.6: a visitor writes only with its own conversation id), and the body is AEAD ciphertext
 * under a key used once (§6), so two honest sends never produce equal envelopes. The only holders
 * of an envelope are its sender, the queue's owner (its recipient) and the relay: a recipient that
 * sends its own mail back only suppresses its own copy, and the relay can drop mail anyway. No
 * sender can suppress another sender's message. The same bytes into another queue are another key.
 */
import { createHash } from 'node:crypto';
import type { QueueKey } from './store.js';

export const SEND_DIGEST_BYTES = 32;

export function sendDigest(queue: QueueKey, envelope: Uint8Array): Buffer {
  const name = Buffer.from(queue, 'utf8');
  const length = Buffer.alloc(2);
  length.writeUInt16BE(name.length);
  return createHash('sha256').update(length).update(name).update(envelope).digest();
}
