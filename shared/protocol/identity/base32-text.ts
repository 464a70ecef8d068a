/**
 * Typed-in base32 text: the business pin (docs/PROTOCOL.md §12.1) and the recovery key (§11.1).
 * Issue #9 item 8: case folding is ASCII-only (A–Z to a–z; Unicode folding would let U+212A
 * KELVIN SIGN pass as "k", or fullwidth letters as ASCII ones); exactly two characters are ignored,
 * U+0020 SPACE and U+002D HYPHEN-MINUS, wherever they stand; every other character outside the
 * RFC 4648 §6 alphabet (a–z, 2–7) is refused; the result must be canonical base32 (no padding, an
 * unpadded length, zero trailing bits: `fromBase32`).
 */
import { fromBase32 } from '../../crypto/index.js';
import { DecodeError } from '../../errors/index.js';

const SPACE = 0x20;
const HYPHEN = 0x2d;

/** The bytes of typed-in base32 `text`; DecodeError naming `what` and the position of the first bad character. */
export function parseBase32Text(text: string, what: string): Uint8Array {
  let compact = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === SPACE || c === HYPHEN) continue;
    if (c >= 0x41 && c <= 0x5a) compact += String.fromCharCode(c + 0x20);
    else if ((c >= 0x61 && c <= 0x7a) || (c >= 0x32 && c <= 0x37)) compact += String.fromCharCode(c);
    else
      throw new DecodeError(
        `${what}: the character at position ${i} is not a base32 letter, digit 2–7, space or hyphen`,
      );
  }
  return fromBase32(compact);
}
