import { describe, expect, it } from 'vitest';
import { InvalidDisplayNameError, DISPLAY_NAME_LIMITS, validateDisplayName } from '../../../shared/protocol/index.js';

describe('validateDisplayName', () => {
  it.each([
    'Ada',
    'José Álvarez',
    '王小明',
    'Zoë-Anne O’Neil',
    'Δημήτρης',
    'محمد',
    'Ada 2',
    'a'.repeat(DISPLAY_NAME_LIMITS.maxCodePoints),
  ])('accepts the ordinary name %s', (name) => {
    expect(validateDisplayName(name)).toBe(name);
  });

  const hostile: readonly (readonly [string, string])[] = [
    ['right-to-left override (Trojan Source)', 'Ada\u202Egnp.exe'],
    ['left-to-right embedding', '\u202AAda'],
    ['first-strong isolate', 'Ada\u2068x\u2069'],
    ['right-to-left mark', 'Ada\u200F'],
    ['Arabic letter mark', 'Ada\u061C'],
    ['zero-width space', 'Ad\u200Ba'],
    ['zero-width joiner', 'Ad\u200Da'],
    ['word joiner', 'Ad\u2060a'],
    ['byte order mark', '\uFEFFAda'],
    ['soft hyphen', 'Ad\u00ADa'],
    ['Hangul filler', 'Ada\u3164'],
    ['Braille blank', 'Ada\u2800'],
    ['tag character', 'Ada\u{E0041}'],
    ['variation selector', 'Ada\uFE0F'],
    ['combining grapheme joiner', 'Ad\u034Fa'],
    ['no-break space', 'Ada\u00A0Lovelace'],
    ['ideographic space', 'Ada\u3000Lovelace'],
    ['tab', 'Ada\tLovelace'],
    ['newline', 'Ada\nLovelace'],
    ['NUL', 'Ada\u0000'],
    ['C1 control', 'Ada\u0085'],
    ['line separator', 'Ada\u2028'],
    ['private use', 'Ada\uE000'],
    ['lone surrogate', 'Ada\uD800'],
    ['unassigned code point', 'Ada\u{2FFFF}'],
    ['not NFC (decomposed é)', 'Jose\u0301'],
    ['leading space', ' Ada'],
    ['trailing space', 'Ada '],
    ['double space', 'Ada  Lovelace'],
    ['empty', ''],
    ['starting with a combining mark', '\u0301Ada'],
    ['combining-mark stack', 'A\u0300\u0301\u0302da'],
    ['too many characters', 'a'.repeat(DISPLAY_NAME_LIMITS.maxCodePoints + 1)],
    ['too many UTF-8 bytes', '王'.repeat(43)],
  ];
  it.each(hostile)('rejects a name with a %s with InvalidDisplayNameError, never echoing it', (_what, name) => {
    let caught: unknown;
    try {
      validateDisplayName(name);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidDisplayNameError);
    if (name.length > 0) expect((caught as Error).message).not.toContain(name);
  });
});
