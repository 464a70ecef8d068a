// Version/suite bytes and the envelope layout of shared/wire (docs/PROTOCOL.md §2.6).
import { toHex } from '../../../shared/crypto/index.js';
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
} from '../../../shared/wire/index.js';
import { assertDeepEqual, assertEqual, assertThrows, assertTrue, fromHex } from '../assert.js';
import type { PortableCase, PortableSuite } from '../portable-case.js';

const CONV = '00112233445566778899aabbccddeeff';
const DEV = 'ffeeddccbbaa99887766554433221100';

function deviceEnvelope(body = 'c1c2c3'): Envelope {
  return {
    conversationId: asConversationId(fromHex(CONV)),
    recipient: { kind: 'device', deviceId: asDeviceId(fromHex(DEV)) },
    body: asCiphertext(fromHex(body)),
  };
}

const malformed: readonly (readonly [string, string, RegExp])[] = [
  [
    'version 3 (an unknown newer version is refused)',
    '0301' + CONV + '02' + '00000001aa',
    /envelope\.version: unknown wire version 3/,
  ],
  ['version 1 (the previous version is refused)', '0101' + CONV + '02' + '00000001aa', /unknown wire version 1/],
  ['version 0', '0001' + CONV + '02' + '00000001aa', /unknown wire version 0/],
  ['suite 2', '0202' + CONV + '02' + '00000001aa', /envelope\.suite: unknown cipher suite 2/],
  ['recipient tag 0', '0201' + CONV + '00' + '00000001aa', /envelope\.recipient: unknown kind tag 0/],
  ['recipient tag 3', '0201' + CONV + '03' + '00000001aa', /unknown kind tag 3/],
  ['short conversation id', '0201' + CONV.slice(0, 20), /envelope\.conversationId: needs 16 bytes/],
  ['short device id', '0201' + CONV + '01' + DEV.slice(0, 8), /envelope\.recipient\.device\.deviceId: needs 16 bytes/],
  ['empty body', '0201' + CONV + '02' + '00000000', /envelope\.body: body must not be empty/],
  ['body prefix past the buffer', '0201' + CONV + '02' + '00000009aa', /envelope\.body: length prefix 9 runs past/],
  ['body over the cap', '0201' + CONV + '02' + 'ffffffff', /envelope\.body: length 4294967295 exceeds the cap/],
  ['trailing byte', '0201' + CONV + '02' + '00000001aa00', /envelope: 1 trailing byte/],
  ['empty input', '', /envelope\.version: needs u8/],
];

export const wireEnvelopeSuite: PortableSuite = {
  name: 'wire/envelope',
  cases: [
    {
      name: 'version and suite: are written first',
      run() {
        const w = new Writer();
        writeVersionAndSuite(w);
        assertEqual(toHex(w.finish()), '0201', 'bytes');
        assertEqual(WIRE_VERSION, 2, 'WIRE_VERSION');
        assertEqual(SUITE_V1, 1, 'SUITE_V1');
      },
    },
    {
      name: 'version and suite: unknown version or suite is a DecodeError naming it',
      run() {
        assertThrows(
          () => {
            readVersionAndSuite(new Reader(fromHex('0301')));
          },
          DecodeError,
          /^version: unknown wire version 3/,
          'version 3',
        );
        assertThrows(
          () => {
            readVersionAndSuite(new Reader(fromHex('0207')));
          },
          DecodeError,
          /^suite: unknown cipher suite 7/,
          'suite 7',
        );
        assertThrows(
          () => {
            readVersionAndSuite(new Reader(fromHex('01')));
          },
          DecodeError,
          undefined,
          'no suite byte',
        );
        const r = new Reader(fromHex('0201'));
        readVersionAndSuite(r);
        r.end();
      },
    },
    {
      name: 'envelope: has the documented byte layout (device recipient)',
      run() {
        const encoded = encodeEnvelope(deviceEnvelope());
        assertEqual(toHex(encoded), '0201' + CONV + '01' + DEV + '00000003' + 'c1c2c3', 'bytes');
        assertEqual(encoded.length, ENVELOPE_OVERHEAD_BYTES + 3, 'length');
      },
    },
    {
      name: 'envelope: has the documented byte layout (visitor recipient)',
      run() {
        const e: Envelope = {
          conversationId: asConversationId(fromHex(CONV)),
          recipient: { kind: 'visitor' },
          body: asCiphertext(fromHex('aa')),
        };
        const encoded = encodeEnvelope(e);
        assertEqual(toHex(encoded), '0201' + CONV + '02' + '00000001' + 'aa', 'bytes');
        assertDeepEqual(decodeEnvelope(encoded), e, 'round trip');
      },
    },
    {
      name: 'envelope: round trips and returns copies',
      run() {
        const input = encodeEnvelope(deviceEnvelope());
        const decoded = decodeEnvelope(input);
        assertEqual(toHex(decoded.conversationId), CONV, 'conversation id');
        assertEqual(decoded.recipient.kind, 'device', 'recipient kind');
        input.fill(0);
        assertEqual(toHex(decoded.conversationId), CONV, 'conversation id after the input is wiped');
        assertEqual(toHex(decoded.body), 'c1c2c3', 'body after the input is wiped');
      },
    },
    ...malformed.map(([name, input, message]): PortableCase => ({
      name: `envelope: rejects ${name} with DecodeError`,
      run() {
        assertThrows(() => decodeEnvelope(fromHex(input)), DecodeError, message, name);
      },
    })),
    {
      name: 'envelope: accepts a body of exactly the cap and refuses one byte more',
      run() {
        const max = new Uint8Array(LIMITS.maxEnvelopeBodyBytes).fill(1);
        const encoded = encodeEnvelope({ ...deviceEnvelope(), body: asCiphertext(max) });
        assertEqual(encoded.length, LIMITS.maxEnvelopeBytes, 'largest envelope');
        assertTrue(encoded.length <= LIMITS.maxFrameBytes, 'the largest envelope fits a frame');
        assertEqual(decodeEnvelope(encoded).body.length, LIMITS.maxEnvelopeBodyBytes, 'decoded body length');
        const over = new Uint8Array(LIMITS.maxEnvelopeBodyBytes + 1);
        assertThrows(
          () => encodeEnvelope({ ...deviceEnvelope(), body: asCiphertext(over) }),
          UsageError,
          undefined,
          'one byte over',
        );
      },
    },
    {
      name: 'envelope: the writer refuses invalid envelopes with UsageError',
      run() {
        const e = deviceEnvelope();
        assertThrows(
          () => encodeEnvelope({ ...e, body: asCiphertext(new Uint8Array(0)) }),
          UsageError,
          undefined,
          'empty body',
        );
        assertThrows(
          () => encodeEnvelope({ ...e, conversationId: fromHex('00') as typeof e.conversationId }),
          UsageError,
          /^conversationId: expected exactly 16 bytes, got 1/,
          'one-byte conversation id',
        );
        const badRecipient = { kind: 'relay' } as unknown as Envelope['recipient'];
        assertThrows(
          () => encodeEnvelope({ ...e, recipient: badRecipient }),
          UsageError,
          /recipient: unknown kind "relay"/,
          'recipient kind "relay"',
        );
      },
    },
  ],
};
