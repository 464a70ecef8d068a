/**
 * The inverted hash chain over an attachment's sealed chunks (docs/PROTOCOL.md §8.3; issue #17
 * item 6, security brief F16):
 *
 *   h_n = 32 zero bytes                          (n = chunkCount)
 *   sealed_i = Seal(chunkKey, iv(i), payload_i || h_{i+1}, aad(i))
 *   h_i = SHA-256("sealdesk/v2/attachment/chunk-hash" || 0x00 || u32 i || sealed_i)
 *
 * The reference carries h_0. A receiver that holds h_i checks sealed chunk i against it BEFORE it
 * decrypts anything of the chunk, and learns h_{i+1} from the chunk's plaintext: every chunk is
 * committed to by the authenticated message, so a sender cannot show two devices different bytes
 * at any position (it would need a SHA-256 collision), and neither can the relay.
 */
import { concatBytes, sha256 } from '../../crypto/index.js';
import { encode, u32 } from '../../wire/index.js';
import { ATTACHMENT_LABELS, attachmentLabelled } from './attachment-labels.js';
import { CHUNK_HASH_BYTES } from './attachment-limits.js';

/** h_n, what the last chunk carries as its "next hash": 32 zero bytes (a fresh array each call). */
export function chainEnd(): Uint8Array {
  return new Uint8Array(CHUNK_HASH_BYTES);
}

/** h_i of sealed chunk `index`. */
export async function chunkHash(index: number, sealed: Uint8Array): Promise<Uint8Array> {
  return sha256(attachmentLabelled(ATTACHMENT_LABELS.chunkHash, concatBytes(encode(u32, index), sealed)));
}
