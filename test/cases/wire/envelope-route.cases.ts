/**
 * readEnvelopeRoute (shared/wire/envelope-route.ts): the routing fields of an envelope
 * (docs/PROTOCOL.md §2.6), validated exactly as decodeEnvelope validates, with the same errors.
 */
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
} from '../../../shared/wire/index.js';
import { assertDeepEqual, assertEqual, assertThrows, assertTrue, fromHex } from '../assert.js';
import type { PortableSuite } from '../portable-case.js';
import { nodeBufferLike } from './node-buffer-like.js';

/** Hex with spaces allowed between groups. */
const bytes = (h: string): Uint8Array => fromHex(h.replace(/ /g, ''));
const CONV = '00112233445566778899aabbccddeeff';
const DEV = 'ffeeddccbbaa99887766554433221100';
/** The example of PROTOCOL §2.6: device recipient, 3-byte body. */
const EXAMPLE = `02 01 ${CONV} 01 ${DEV} 00000003 c1c2c3`;

/** The error decodeEnvelope throws for `input` (class and message), or undefined if it decodes. */
function genericError(input: Uint8Array): { type: unknown; message: string } | undefined {
  try {
    decodeEnvelope(input);
    return undefined;
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    return { type: error.constructor, message: error.message };
  }
}

function assertSameError(input: Uint8Array, what: string): void {
  const expected = genericError(input);
  assertTrue(expected !== undefined, `${what}: decodeEnvelope refuses the input`);
  const thrown = assertThrows(() => readEnvelopeRoute(input), DecodeError, undefined, what);
  assertTrue(thrown.constructor === expected.type, `${what}: the error class of decodeEnvelope`);
  assertEqual(thrown.message, expected.message, `${what}: the message of decodeEnvelope`);
}

export const wireEnvelopeRouteSuite: PortableSuite = {
  name: 'wire/envelope-route',
  cases: [
    {
      name: 'readEnvelopeRoute: reads the §2.6 example and a visitor envelope as hex routing fields',
      run() {
        assertDeepEqual(
          readEnvelopeRoute(bytes(EXAMPLE)),
          { conversationId: CONV, recipient: { kind: 'device', deviceId: DEV } },
          'device',
        );
        assertDeepEqual(
          readEnvelopeRoute(bytes(`0201 ${CONV} 02 00000001 aa`)),
          { conversationId: CONV, recipient: { kind: 'visitor' } },
          'visitor',
        );
      },
    },
    {
      name: 'readEnvelopeRoute: equals envelopeRoute(decodeEnvelope(...)) and reads a Buffer view at its own offset',
      run() {
        const envelope = {
          conversationId: asConversationId(bytes(CONV)),
          recipient: { kind: 'device' as const, deviceId: asDeviceId(bytes(DEV)) },
          body: asCiphertext(new Uint8Array(300).fill(9)),
        };
        const encoded = encodeEnvelope(envelope);
        const backing = nodeBufferLike(new Uint8Array(encoded.length + 20).fill(0x01));
        backing.set(encoded, 11);
        const view = backing.subarray(11, 11 + encoded.length);
        assertDeepEqual(readEnvelopeRoute(view), envelopeRoute(decodeEnvelope(view)), 'the generic route');
        assertDeepEqual(
          readEnvelopeRoute(view),
          { conversationId: CONV, recipient: { kind: 'device', deviceId: DEV } },
          'the route',
        );
      },
    },
    {
      name: 'readEnvelopeRoute: accepts a body of exactly maxEnvelopeBodyBytes and refuses one byte more, as decodeEnvelope does',
      run() {
        const at = (n: number): Uint8Array => {
          const out = new Uint8Array(ENVELOPE_OVERHEAD_BYTES + n);
          out.set(bytes(`0201 ${CONV} 01 ${DEV}`));
          new DataView(out.buffer).setUint32(35, n);
          return out;
        };
        assertDeepEqual(
          readEnvelopeRoute(at(LIMITS.maxEnvelopeBodyBytes)).recipient,
          { kind: 'device', deviceId: DEV },
          'at the cap',
        );
        assertSameError(at(LIMITS.maxEnvelopeBodyBytes + 1), 'one byte over the cap');
        assertThrows(
          () => decodeEnvelope(at(LIMITS.maxEnvelopeBodyBytes + 1)),
          DecodeError,
          /^envelope\.body: length 61441 exceeds the cap/,
          'the cap message',
        );
      },
    },
    {
      name: 'readEnvelopeRoute: throws the DecodeError decodeEnvelope throws, message and field path included',
      run() {
        const cases = [
          '',
          '01',
          '0301',
          '0207',
          `0101 ${CONV.slice(0, 20)}`,
          `0201 ${CONV}`,
          `0201 ${CONV} 00`,
          `0201 ${CONV} 03 00000001 aa`,
          `0201 ${CONV} 01 ${DEV.slice(0, 6)}`,
          `0201 ${CONV} 01 ${DEV} 0000`,
          `0201 ${CONV} 01 ${DEV} 00000000`,
          `0201 ${CONV} 01 ${DEV} 00000004 c1c2c3`,
          `0201 ${CONV} 01 ${DEV} 00000003 c1c2c3 00`,
          `0201 ${CONV} 02 ${DEV} 00000003 c1c2c3`,
          `0201 ${CONV} 01 ${DEV} ffffffff c1c2c3`,
        ];
        for (const hex of cases) assertSameError(bytes(hex), `input "${hex}"`);
        assertEqual(
          genericError(bytes(`0201 ${CONV} 01 ${DEV} 00000000`))?.message,
          'envelope.body: body must not be empty',
          'empty body',
        );
        assertEqual(
          genericError(bytes(`${EXAMPLE} 00`))?.message,
          'envelope: 1 trailing byte after the value',
          'trailing byte',
        );
      },
    },
    {
      name: 'readEnvelopeRoute: refuses a value that is not a Uint8Array with the same UsageError',
      run() {
        const notBytes = [1, 1] as unknown as Uint8Array;
        assertThrows(() => readEnvelopeRoute(notBytes), UsageError, undefined, 'an array');
        assertThrows(() => readEnvelopeRoute(notBytes), UsageError, 'Reader needs a Uint8Array', 'an array, message');
      },
    },
  ],
};
