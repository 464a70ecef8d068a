import { describe, expect, it } from 'vitest';
import { fingerprintBytes, formatFingerprint } from '../../../shared/crypto/index.js';
import { DecodeError, InvalidKeyError, UsageError } from '../../../shared/errors/index.js';
import {
  createDeviceKeys,
  accountKeyMatchesPin,
  businessFingerprint,
  businessFingerprintBytes,
  parseBusinessPin,
  safetyCode,
} from '../../../shared/protocol/index.js';
import { asConversationId } from '../../../shared/wire/index.js';
import { identityWorld } from '../../support/identity-fixture.js';

describe('business pin parsing (#9.8, PROTOCOL §12.1)', () => {
  // 0x50 = 01010|000: the text opens with "k" (index 10 of the RFC 4648 §6 alphabet).
  const pinBytes = Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 0x50 : (i * 37) & 0xff));
  const pin = formatFingerprint(pinBytes);

  it('#9.8: case folding is ASCII-only: a KELVIN SIGN (U+212A) or a dotless/dotted i in place of k or i is refused', () => {
    expect(pin.startsWith('k')).toBe(true);
    expect(parseBusinessPin(pin.toUpperCase())).toEqual(pinBytes);
    expect(() => parseBusinessPin(`\u212A${pin.slice(1)}`)).toThrow(DecodeError);
    const withI = pin.indexOf('i');
    if (withI >= 0)
      expect(() => parseBusinessPin(`${pin.slice(0, withI)}\u0130${pin.slice(withI + 1)}`)).toThrow(DecodeError);
    // Fullwidth Latin letters fold to ASCII only under Unicode rules: refused.
    expect(() => parseBusinessPin(`\uFF4B${pin.slice(1)}`)).toThrow(DecodeError);
  });

  it('#9.8: only spaces (U+0020) and hyphens (U+002D) are ignored; any other separator is refused', () => {
    const compact = pin.replaceAll(' ', '');
    expect(parseBusinessPin(compact)).toEqual(pinBytes);
    expect(parseBusinessPin(pin.replaceAll(' ', '-'))).toEqual(pinBytes);
    expect(parseBusinessPin(`  ${pin.replaceAll(' ', ' - ')} `)).toEqual(pinBytes);
    for (const separator of ['\t', '\n', '\u00A0', '\u3000', '\u2010', '_', '.', '\u200B']) {
      expect(() => parseBusinessPin(pin.replaceAll(' ', separator))).toThrow(DecodeError);
    }
  });

  it('#9.8: only the canonical base32 form of 32 bytes is accepted (52 characters, zero trailing bits, no padding)', () => {
    const compact = pin.replaceAll(' ', '');
    expect(compact).toHaveLength(52);
    expect(() => parseBusinessPin(`${compact}====`)).toThrow(DecodeError);
    expect(() => parseBusinessPin(compact.slice(0, 51))).toThrow(DecodeError);
    expect(() => parseBusinessPin(`${compact}aa`)).toThrow(DecodeError);
    // The last character carries 4 unused bits: any non-zero one is another spelling of the same bytes.
    const last = compact.at(-1) ?? 'a';
    const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
    const sibling = alphabet[alphabet.indexOf(last) + 1] ?? 'b';
    expect(() => parseBusinessPin(`${compact.slice(0, 51)}${sibling}`)).toThrow(DecodeError);
    expect(() => parseBusinessPin(compact.replace('k', '1'))).toThrow(DecodeError);
  });
});

describe('business fingerprint (F1, F22)', () => {
  it('is the formatted, labelled fingerprint of the AIK and parses back to the pin bytes', async () => {
    const w = await identityWorld();
    const key = w.identity.signing.publicKey;
    const expected = formatFingerprint(await fingerprintBytes('sealdesk/v2/business-fingerprint', key));
    expect(await businessFingerprint(key)).toBe(expected);
    expect(expected).toMatch(/^([a-z2-7]{4} ){12}[a-z2-7]{4}$/);
    expect(parseBusinessPin(expected)).toEqual(await businessFingerprintBytes(key));
    expect(await accountKeyMatchesPin(key, parseBusinessPin(expected))).toBe(true);
  });

  it('F1: a different account key does not match the pin', async () => {
    const w = await identityWorld();
    const other = await identityWorld('other');
    expect(await accountKeyMatchesPin(other.identity.signing.publicKey, parseBusinessPin(w.pin))).toBe(false);
  });

  it('rejects malformed pins and keys of the wrong length', async () => {
    expect(() => parseBusinessPin('abc!')).toThrow(DecodeError);
    expect(() => parseBusinessPin(formatFingerprint(new Uint8Array(20)))).toThrow(DecodeError);
    await expect(businessFingerprint(new Uint8Array(31))).rejects.toBeInstanceOf(InvalidKeyError);
  });
});

describe('safety code', () => {
  it('is identical on both sides (order-independent) and 30 digits long', async () => {
    const w = await identityWorld();
    const visitor = await createDeviceKeys(w.env);
    const conversation = asConversationId(w.env.rng(16));
    const business = w.identity.signing.publicKey;
    const onVisitor = await safetyCode(conversation, visitor.identityDh.publicKey, business);
    const onAgent = await safetyCode(conversation, business, visitor.identityDh.publicKey);
    expect(onVisitor).toBe(onAgent);
    expect(onVisitor).toMatch(/^(\d{5} ){5}\d{5}$/);
  });

  it('changes with the conversation id and with either key (a swapped visitor key shows)', async () => {
    const w = await identityWorld();
    const visitor = await createDeviceKeys(w.env);
    const relay = await createDeviceKeys(w.env);
    const conversation = asConversationId(w.env.rng(16));
    const business = w.identity.signing.publicKey;
    const code = await safetyCode(conversation, visitor.identityDh.publicKey, business);
    expect(await safetyCode(asConversationId(w.env.rng(16)), visitor.identityDh.publicKey, business)).not.toBe(code);
    expect(await safetyCode(conversation, relay.identityDh.publicKey, business)).not.toBe(code);
  });

  it('rejects wrong key lengths, identical keys and a bad conversation id', async () => {
    const w = await identityWorld();
    const conversation = asConversationId(w.env.rng(16));
    const key = w.identity.signing.publicKey;
    await expect(safetyCode(conversation, key, new Uint8Array(31))).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(safetyCode(conversation, key, key)).rejects.toBeInstanceOf(UsageError);
    await expect(safetyCode(new Uint8Array(15) as typeof conversation, key, new Uint8Array(32))).rejects.toBeInstanceOf(
      DecodeError,
    );
  });
});
