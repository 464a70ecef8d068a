/**
 * Agent display names (docs/PROTOCOL.md §4.3). A name is shown to visitors as "who answers", so a
 * relay or a rogue admin must not be able to make one name look like another: bidi overrides
 * (Trojan Source, CVE-2021-42574), zero-width and other invisible characters, lookalike spaces,
 * control characters and unbounded combining-mark stacks are rejected, not stripped (security.md §4:
 * "display names with bidi or zero-width characters" get a typed error).
 *
 * Follows Unicode TR #36 (Security Considerations) §2 and TR #39 §3.1 (General Security Profile):
 * only NFC text, no format (Cf), control (Cc), private-use (Co), surrogate (Cs) or unassigned (Cn)
 * code points, no line/paragraph separators, and U+0020 as the only space.
 */
import { LIMITS } from '../../wire/index.js';
import { InvalidDisplayNameError } from '../core/index.js';

/** Limits of a display name, in Unicode code points and UTF-8 bytes (docs/PROTOCOL.md §14). */
export const DISPLAY_NAME_LIMITS = {
  maxCodePoints: 64,
  maxUtf8Bytes: LIMITS.maxDisplayNameBytes,
  /** Longest run of combining marks after one base character ("Zalgo" text). */
  maxCombiningRun: 2,
} as const;

// TR #36 §2.1 / CVE-2021-42574: every bidi control (embeddings, overrides, isolates, marks).
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;
// Zero-width and other default-ignorable or blank-rendering code points (inclusive ranges):
// soft hyphen, combining grapheme joiner, Hangul fillers, Khmer inherent vowels, Mongolian
// variation selectors and vowel separator, ZWSP/ZWNJ/ZWJ, word joiner and invisible operators,
// variation selectors, BOM/ZWNBSP, Braille blank, tag characters and supplementary selectors.
const INVISIBLE_RANGES: readonly (readonly [number, number])[] = [
  [0x00ad, 0x00ad],
  [0x034f, 0x034f],
  [0x115f, 0x1160],
  [0x17b4, 0x17b5],
  [0x180b, 0x180f],
  [0x200b, 0x200d],
  [0x2060, 0x2064],
  [0x2800, 0x2800],
  [0x3164, 0x3164],
  [0xfe00, 0xfe0f],
  [0xfeff, 0xfeff],
  [0xffa0, 0xffa0],
  [0xe0000, 0xe0fff],
];

function isInvisible(codePoint: number): boolean {
  return INVISIBLE_RANGES.some(([low, high]) => codePoint >= low && codePoint <= high);
}

// TR #39 §3.1: general categories never allowed in an identifier-like display string.
const DISALLOWED_CATEGORIES = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}\p{Cn}\p{Zl}\p{Zp}]/u;
// Any space separator other than U+0020 (no-break, ideographic, en/em spaces …) is a lookalike.
const OTHER_SPACES = /[^\S ]|[\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]/u;
const COMBINING_RUN = new RegExp(`\\p{M}{${DISPLAY_NAME_LIMITS.maxCombiningRun + 1},}`, 'u');

/**
 * Returns `name` unchanged when it is a safe display name, and throws InvalidDisplayNameError
 * otherwise. The error message names the rule, never echoes the name (it may be hostile).
 */
export function validateDisplayName(name: string): string {
  const reject = (rule: string): never => {
    throw new InvalidDisplayNameError(`display name rejected: ${rule}`);
  };
  let codePoints = 0;
  let invisible = false;
  for (const char of name) {
    codePoints++;
    if (isInvisible(char.codePointAt(0) ?? 0)) invisible = true;
  }
  if (codePoints === 0) reject('it is empty');
  if (codePoints > DISPLAY_NAME_LIMITS.maxCodePoints) {
    reject(`longer than ${DISPLAY_NAME_LIMITS.maxCodePoints} characters`);
  }
  if (new TextEncoder().encode(name).length > DISPLAY_NAME_LIMITS.maxUtf8Bytes) {
    reject(`longer than ${DISPLAY_NAME_LIMITS.maxUtf8Bytes} UTF-8 bytes`);
  }
  if (BIDI_CONTROLS.test(name)) reject('it contains a bidirectional control character');
  if (invisible) reject('it contains a zero-width or invisible character');
  if (DISALLOWED_CATEGORIES.test(name)) reject('it contains a control, format, private-use or unassigned character');
  if (OTHER_SPACES.test(name)) reject('it contains a space other than U+0020');
  if (name.normalize('NFC') !== name) reject('it is not in Unicode normalisation form NFC');
  if (name.startsWith(' ') || name.endsWith(' ')) reject('it starts or ends with a space');
  if (name.includes('  ')) reject('it contains two spaces in a row');
  if (/^\p{M}/u.test(name)) reject('it starts with a combining mark');
  if (COMBINING_RUN.test(name)) reject(`more than ${DISPLAY_NAME_LIMITS.maxCombiningRun} combining marks in a row`);
  return name;
}
