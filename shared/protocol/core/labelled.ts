/**
 * Domain separation (docs/PROTOCOL.md §1, §13): what is signed, hashed or authenticated under a
 * label is `label || 0x00 || bytes`. Labels are ASCII without NUL, so the split is unambiguous.
 * Each family of labels (identity, conversation, …) re-exports this under a type that accepts only
 * its own labels.
 */
import { concatBytes, utf8Encode } from '../../crypto/index.js';

const SEPARATOR = new Uint8Array([0]);

export function labelled(label: string, bytes: Uint8Array): Uint8Array {
  return concatBytes(utf8Encode(label), SEPARATOR, bytes);
}
