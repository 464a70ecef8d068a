/**
 * readEnvelopeRoute (shared/wire/envelope-route.ts): the routing fields of an envelope
 * (docs/PROTOCOL.md §2.6), validated exactly as decodeEnvelope validates, with the same errors.
 */
import { describe, expect, it } from 'vitest';
import {
  DecodeError,
  ENVELOPE_OVERHEAD_BYTES,
  LIMITS,
  UsageError,
  asCiphertext,
  asConversationId,
  asDeviceId,
  decodeEnvelope,
  encodeEnvelope,
  envelopeRoute,
  readEnvelopeRoute,
} from '../../shared/wire/index.js';

const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h.replace(/ /g, ''), 'hex'));
const CONV = '00112233445566778899aabbccddeeff';
const DEV = 'ffeeddccbbaa99887766554433221100';
/** The example of PROTOCOL §2.6: device recipient, 3-byte body. */
const EXAMPLE = `01 01 ${CONV} 01 ${DEV} 00000003 c1c2c3`;

/** The error decodeEnvelope throws for `input` (class and message), or undefined if it decodes. */
function genericError(input: Uint8Array): { type: string; message: string } | undefined {
  try {
    decodeEnvelope(input);
    return undefined;
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    return { type: error.constructor.name, message: error.message };
  }
}

function expectSameError(input: Uint8Array): void {
  const expected = genericError(input);
  expect(expected).toBeDefined();
  let thrown: unknown;
  try {
    readEnvelopeRoute(input);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(DecodeError);
  expect({ type: (thrown as Error).constructor.name, message: (thrown as Error).message }).toEqual(expected);
}

describe('readEnvelopeRoute', () => {
  it('reads the §2.6 example and a visitor envelope as hex routing fields', () => {
    expect(readEnvelopeRoute(bytes(EXAMPLE))).toEqual({ conversationId: CONV, recipient: { kind: 'device', deviceId: DEV } });
    expect(readEnvelopeRoute(bytes(`0101 ${CONV} 02 00000001 aa`))).toEqual({ conversationId: CONV, recipient: { kind: 'visitor' } });
  });

  it('equals envelopeRoute(decodeEnvelope(...)) and reads a Buffer view at its own offset', () => {
    const envelope = {
      conversationId: asConversationId(bytes(CONV)),
      recipient: { kind: 'device' as const, deviceId: asDeviceId(bytes(DEV)) },
      body: asCiphertext(new Uint8Array(300).fill(9)),
    };
    const encoded = encodeEnvelope(envelope);
    const backing = Buffer.alloc(encoded.length + 20, 0x01);
    backing.set(encoded, 11);
    const view = backing.subarray(11, 11 + encoded.length);
    expect(readEnvelopeRoute(view)).toEqual(envelopeRoute(decodeEnvelope(view)));
    expect(readEnvelopeRoute(view)).toEqual({ conversationId: CONV, recipient: { kind: 'device', deviceId: DEV } });
  });

  it('accepts a body of exactly maxEnvelopeBodyBytes and refuses one byte more, as decodeEnvelope does', () => {
    const at = (n: number): Uint8Array => {
      const out = new Uint8Array(ENVELOPE_OVERHEAD_BYTES + n);
      out.set(bytes(`0101 ${CONV} 01 ${DEV}`));
      new DataView(out.buffer).setUint32(35, n);
      return out;
    };
    expect(readEnvelopeRoute(at(LIMITS.maxEnvelopeBodyBytes)).recipient).toEqual({ kind: 'device', deviceId: DEV });
    expectSameError(at(LIMITS.maxEnvelopeBodyBytes + 1));
    expect(genericError(at(LIMITS.maxEnvelopeBodyBytes + 1))?.message).toMatch(/^envelope\.body: length 61441 exceeds the cap/);
  });

  it('throws the DecodeError decodeEnvelope throws, message and field path included', () => {
    const cases = [
      '',
      '01',
      '0201',
      '0107',
      `0101 ${CONV.slice(0, 20)}`,
      `0101 ${CONV}`,
      `0101 ${CONV} 00`,
      `0101 ${CONV} 03 00000001 aa`,
      `0101 ${CONV} 01 ${DEV.slice(0, 6)}`,
      `0101 ${CONV} 01 ${DEV} 0000`,
      `0101 ${CONV} 01 ${DEV} 00000000`,
      `0101 ${CONV} 01 ${DEV} 00000004 c1c2c3`,
      `0101 ${CONV} 01 ${DEV} 00000003 c1c2c3 00`,
      `0101 ${CONV} 02 ${DEV} 00000003 c1c2c3`,
      `0101 ${CONV} 01 ${DEV} ffffffff c1c2c3`,
    ];
    for (const hex of cases) expectSameError(bytes(hex));
    expect(genericError(bytes(`0101 ${CONV} 01 ${DEV} 00000000`))?.message).toBe('envelope.body: body must not be empty');
    expect(genericError(bytes(`${EXAMPLE} 00`))?.message).toBe('envelope: 1 trailing byte after the value');
  });

  it('refuses a value that is not a Uint8Array with the same UsageError', () => {
    const notBytes = [1, 1] as unknown as Uint8Array;
    expect(() => readEnvelopeRoute(notBytes)).toThrow(UsageError);
    expect(() => readEnvelopeRoute(notBytes)).toThrow('Reader needs a Uint8Array');
  });
});
