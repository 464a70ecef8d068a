import { describe, expect, it } from 'vitest';
import {
  DecodeError,
  type Envelope,
  LIMITS,
  ENVELOPE_OVERHEAD_BYTES,
  Reader,
  SUITE_V1,
  UsageError,
  WIRE_VERSION,
  Writer,
  asCiphertext,
  asConversationId,
  asDeviceId,
  decodeEnvelope,
  encodeEnvelope,
  readVersionAndSuite,
  writeVersionAndSuite,
} from '../../shared/wire/index.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));

const CONV = '00112233445566778899aabbccddeeff';
const DEV = 'ffeeddccbbaa99887766554433221100';

function deviceEnvelope(body = 'c1c2c3'): Envelope {
  return {
    conversationId: asConversationId(bytes(CONV)),
    recipient: { kind: 'device', deviceId: asDeviceId(bytes(DEV)) },
    body: asCiphertext(bytes(body)),
  };
}

describe('version and suite', () => {
  it('are written first', () => {
    const w = new Writer();
    writeVersionAndSuite(w);
    expect(hex(w.finish())).toBe('0101');
    expect(WIRE_VERSION).toBe(1);
    expect(SUITE_V1).toBe(1);
  });

  it('unknown version or suite is a DecodeError naming it', () => {
    expect(() => {
      readVersionAndSuite(new Reader(bytes('0201')));
    }).toThrow(/^version: unknown wire version 2/);
    expect(() => {
      readVersionAndSuite(new Reader(bytes('0107')));
    }).toThrow(/^suite: unknown cipher suite 7/);
    expect(() => {
      readVersionAndSuite(new Reader(bytes('01')));
    }).toThrow(DecodeError);
    const r = new Reader(bytes('0101'));
    readVersionAndSuite(r);
    r.end();
  });
});

describe('envelope', () => {
  it('has the documented byte layout (device recipient)', () => {
    const encoded = encodeEnvelope(deviceEnvelope());
    expect(hex(encoded)).toBe('0101' + CONV + '01' + DEV + '00000003' + 'c1c2c3');
    expect(encoded.length).toBe(ENVELOPE_OVERHEAD_BYTES + 3);
  });

  it('has the documented byte layout (visitor recipient)', () => {
    const e: Envelope = { conversationId: asConversationId(bytes(CONV)), recipient: { kind: 'visitor' }, body: asCiphertext(bytes('aa')) };
    const encoded = encodeEnvelope(e);
    expect(hex(encoded)).toBe('0101' + CONV + '02' + '00000001' + 'aa');
    expect(decodeEnvelope(encoded)).toEqual(e);
  });

  it('round trips and returns copies', () => {
    const input = encodeEnvelope(deviceEnvelope());
    const decoded = decodeEnvelope(input);
    expect(hex(decoded.conversationId)).toBe(CONV);
    expect(decoded.recipient.kind).toBe('device');
    input.fill(0);
    expect(hex(decoded.conversationId)).toBe(CONV);
    expect(hex(decoded.body)).toBe('c1c2c3');
  });

  it.each([
    ['version 2 (downgrade/upgrade is refused)', '0201' + CONV + '02' + '00000001aa', /envelope\.version: unknown wire version 2/],
    ['version 0', '0001' + CONV + '02' + '00000001aa', /unknown wire version 0/],
    ['suite 2', '0102' + CONV + '02' + '00000001aa', /envelope\.suite: unknown cipher suite 2/],
    ['recipient tag 0', '0101' + CONV + '00' + '00000001aa', /envelope\.recipient: unknown kind tag 0/],
    ['recipient tag 3', '0101' + CONV + '03' + '00000001aa', /unknown kind tag 3/],
    ['short conversation id', '0101' + CONV.slice(0, 20), /envelope\.conversationId: needs 16 bytes/],
    ['short device id', '0101' + CONV + '01' + DEV.slice(0, 8), /envelope\.recipient\.device\.deviceId: needs 16 bytes/],
    ['empty body', '0101' + CONV + '02' + '00000000', /envelope\.body: body must not be empty/],
    ['body prefix past the buffer', '0101' + CONV + '02' + '00000009aa', /envelope\.body: length prefix 9 runs past/],
    ['body over the cap', '0101' + CONV + '02' + 'ffffffff', /envelope\.body: length 4294967295 exceeds the cap/],
    ['trailing byte', '0101' + CONV + '02' + '00000001aa00', /envelope: 1 trailing byte/],
    ['empty input', '', /envelope\.version: needs u8/],
  ])('rejects %s with DecodeError', (_name, input, message) => {
    let caught: unknown;
    try {
      decodeEnvelope(bytes(input));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DecodeError);
    expect((caught as DecodeError).message).toMatch(message);
  });

  it('accepts a body of exactly the cap and refuses one byte more', () => {
    const max = new Uint8Array(LIMITS.maxEnvelopeBodyBytes).fill(1);
    const encoded = encodeEnvelope({ ...deviceEnvelope(), body: asCiphertext(max) });
    expect(encoded.length).toBe(LIMITS.maxEnvelopeBytes);
    expect(encoded.length).toBeLessThanOrEqual(LIMITS.maxFrameBytes);
    expect(decodeEnvelope(encoded).body.length).toBe(LIMITS.maxEnvelopeBodyBytes);
    const over = new Uint8Array(LIMITS.maxEnvelopeBodyBytes + 1);
    expect(() => encodeEnvelope({ ...deviceEnvelope(), body: asCiphertext(over) })).toThrow(UsageError);
  });

  it('the writer refuses invalid envelopes with UsageError', () => {
    const e = deviceEnvelope();
    expect(() => encodeEnvelope({ ...e, body: asCiphertext(new Uint8Array(0)) })).toThrow(UsageError);
    expect(() => encodeEnvelope({ ...e, conversationId: bytes('00') as typeof e.conversationId })).toThrow(
      /^conversationId: expected exactly 16 bytes, got 1/,
    );
    const badRecipient = { kind: 'relay' } as unknown as Envelope['recipient'];
    expect(() => encodeEnvelope({ ...e, recipient: badRecipient })).toThrow(/recipient: unknown kind "relay"/);
  });
});
