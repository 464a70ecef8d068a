/**
 * Branded byte kinds (docs/PROTOCOL.md §2.5), so that plaintext can never be passed where
 * ciphertext is expected (or the reverse) without an explicit, greppable conversion.
 * The brands exist only in the type system; on the wire both are plain byte strings.
 */
import { branded, type Codec, varBytes } from './codec.js';

export type Plaintext = Uint8Array & { readonly __kind: 'Plaintext' };
export type Ciphertext = Uint8Array & { readonly __kind: 'Ciphertext' };

/** Marks bytes as plaintext (no copy). Use only where bytes really are decrypted or to-be-encrypted content. */
export function asPlaintext(bytes: Uint8Array): Plaintext {
  return bytes as Plaintext;
}

/** Marks bytes as ciphertext (no copy). Use only on AEAD output or bytes received as ciphertext. */
export function asCiphertext(bytes: Uint8Array): Ciphertext {
  return bytes as Ciphertext;
}

/** u32 length prefix then at most `max` ciphertext bytes. */
export function ciphertextCodec(max: number): Codec<Ciphertext> {
  return branded(varBytes(max));
}

/** u32 length prefix then at most `max` plaintext bytes (only ever inside an encrypted payload). */
export function plaintextCodec(max: number): Codec<Plaintext> {
  return branded(varBytes(max));
}
