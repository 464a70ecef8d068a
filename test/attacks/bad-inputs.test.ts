/**
 * Security brief §4, bad input for every client (the relay is untrusted, so clients validate
 * too): empty and truncated frames, length prefixes past the buffer, trailing bytes, unknown
 * version or suite, keys of the wrong length, low-order X25519 points, malformed signatures,
 * truncated GCM tags, counters past 2^32, oversized device lists and duplicate ids, spoofing
 * characters in names, bad padding. Each gets a typed error (a SealdeskError subclass), never a
 * crash, and leaves the receiver's state exactly as it was (the WorldConversation harness
 * compares a deep snapshot before and after every rejected packet), so the genuine packet that
 * follows still opens.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { concatBytes, fromHex, utf8Encode } from '../../shared/crypto/index.js';
import type { SealdeskError } from '../../shared/errors/index.js';
import {
  DecodeError,
  DecryptError,
  InvalidKeyError,
  LimitError,
  SignatureError,
  UsageError,
} from '../../shared/errors/index.js';
import {
  ALERT_KINDS,
  conversationPacketCodec,
  deviceEntryCodec,
  decodeDeviceListBody,
  encodeDeviceListBody,
  createDirectoryView,
  receiveDeviceList,
  InvalidDisplayNameError,
  UnauthorisedDeviceError,
  unpad,
  pad,
  decodePrekeyBundle,
  encodePrekeyBundle,
  ratchetHeaderCodec,
  safetyCode,
  versioned,
  type DeviceEntry,
  type SignedDeviceList,
} from '../../shared/protocol/index.js';
import {
  decode,
  encode,
  fixedBytes,
  list,
  optional,
  struct,
  u32,
  u64,
  decodeEnvelope,
  accountIdCodec,
  LIMITS,
} from '../../shared/wire/index.js';
import { rewriteRatchetHeader, rogueDevice } from '../support/attacker.js';
import { expectHonestRoundTrip } from '../support/honest-traffic.js';
import { ProtocolWorld } from '../support/protocol-world.js';
import { snapshot } from '../support/state-snapshot.js';
import { alertKinds, texts, WorldConversation } from '../support/world-conversation.js';

/** RFC 7748 §6.1 / Wycheproof x25519 edge cases: points of small order (all give an all-zero or weak shared secret). */
const LOW_ORDER_POINTS: readonly (readonly [string, string])[] = [
  ['zero', '0000000000000000000000000000000000000000000000000000000000000000'],
  ['one', '0100000000000000000000000000000000000000000000000000000000000000'],
  ['order-8 point A', 'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800'],
  ['order-8 point B', '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157'],
  ['p - 1', 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'],
];

describe('bad input at a client: conversation packets (security brief §4)', () => {
  let world: ProtocolWorld;
  let convo: WorldConversation;
  let round = 0;

  beforeAll(async () => {
    world = await ProtocolWorld.create('bad-inputs');
    convo = await WorldConversation.start(world, 'visitor');
    await expectHonestRoundTrip(convo, 'setup-1');
    await expectHonestRoundTrip(convo, 'setup-2'); // both sides have ratcheted: plain ratchet packets from here
  });

  /**
   * The laptop sends one genuine message; the visitor is first fed `mutate(genuine packet)`, which
   * must fail with `errorClass` and change nothing; then the genuine packet opens.
   */
  async function feedBadThenGenuine(
    mutate: (packet: Uint8Array) => Uint8Array,
    errorClass: abstract new (...args: never[]) => SealdeskError,
  ): Promise<void> {
    round++;
    const text = `genuine ${round}`;
    await convo.agentSends('ada-laptop', text);
    const [envelope] = world.relay.take(convo.conversationId, { kind: 'visitor' });
    if (envelope === undefined) throw new RangeError('nothing queued');
    const genuine = decodeEnvelope(envelope).body;
    const errorsBefore = convo.visitor.errors.length;
    const bad = await convo.visitorReceives(mutate(genuine)); // throws StateMutatedOnError if state changed
    expect(bad.ok).toBe(false);
    expect(convo.visitor.errors[errorsBefore]).toBeInstanceOf(errorClass);
    expect(texts(convo.visitor)).not.toContain(text);
    const good = await convo.visitorReceives(genuine);
    expect(good.ok).toBe(true);
    expect(texts(convo.visitor).at(-1)).toBe(text);
  }

  function editPacket(
    change: (p: ReturnType<typeof decodePacket>) => ReturnType<typeof decodePacket>,
  ): (bytes: Uint8Array) => Uint8Array {
    return (bytes) => encode(conversationPacketCodec, change(decodePacket(bytes)));
  }

  function decodePacket(bytes: Uint8Array) {
    return decode(conversationPacketCodec, bytes, 'packet');
  }

  it('an empty frame: DecodeError, state unchanged', async () => {
    await feedBadThenGenuine(() => new Uint8Array(0), DecodeError);
  });

  it('a frame cut short (the body length prefix runs past the buffer): DecodeError, state unchanged', async () => {
    await feedBadThenGenuine((p) => p.slice(0, p.length - 1), DecodeError);
  });

  it('a frame with trailing bytes: DecodeError, state unchanged', async () => {
    await feedBadThenGenuine((p) => concatBytes(p, new Uint8Array([0])), DecodeError);
  });

  it('F21: an unknown cipher suite (7) in the packet prefix: DecodeError, state unchanged', async () => {
    await feedBadThenGenuine((p) => {
      const out = new Uint8Array(p);
      out[1] = 7;
      return out;
    }, DecodeError);
  });

  it('a truncated GCM tag on the message body: DecryptError, state unchanged', async () => {
    await feedBadThenGenuine(
      editPacket((p) => ({ ...p, body: p.body.slice(0, p.body.length - 1) })),
      DecryptError,
    );
  });

  it('a truncated GCM tag on the ratchet ciphertext (16 bytes cut): DecryptError, state unchanged', async () => {
    await feedBadThenGenuine(
      editPacket((p) => ({
        ...p,
        session: {
          ...p.session,
          message: { ...p.session.message, ciphertext: p.session.message.ciphertext.slice(0, -16) },
        },
      })),
      DecryptError,
    );
  });

  for (const [name, hex] of LOW_ORDER_POINTS) {
    it(`a low-order ratchet key (${name}): InvalidKeyError, state unchanged`, async () => {
      await feedBadThenGenuine(
        editPacket((p) => rewriteRatchetHeader(p, (h) => ({ ...h, dh: fromHex(hex) }))),
        InvalidKeyError,
      );
    });
  }

  it('counters past 2^32 cannot be put on the wire at all (the writer refuses with a typed error)', async () => {
    const header = { version: 2, suite: 1, dh: new Uint8Array(32), pn: 0, n: 2 ** 32 };
    expect(() => encode(ratchetHeaderCodec, header)).toThrow(UsageError);
    // The largest counter a packet can carry, 2^32-1, is refused by the skip budget (absurd-skip).
    await feedBadThenGenuine(
      editPacket((p) => rewriteRatchetHeader(p, (h) => ({ ...h, n: 0xffff_ffff }))),
      LimitError,
    );
    expect(alertKinds(convo.visitor)).toContain(ALERT_KINDS.absurdSkip);
  });

  it('honest traffic continues after every bad input above', async () => {
    await expectHonestRoundTrip(convo, 'after-bad-inputs');
    expect(world.relay.pending(convo.conversationId, { kind: 'visitor' })).toBe(0);
  });
});

describe('bad input at a client: first contact with low-order keys (security brief §4)', () => {
  // The visitor's identity key names the conversation (#9.3), so a low-order one is refused before any DH.
  for (const [field, errorClass] of [
    ['initiatorIdentityKey', UnauthorisedDeviceError],
    ['initiatorEphemeralKey', InvalidKeyError],
  ] as const) {
    it(`a first message whose ${field} is a low-order point: ${errorClass.name} at the agent, no session, honest first message still opens`, async () => {
      const world = await ProtocolWorld.create(`low-order-${field}`);
      const convo = await WorldConversation.start(world, 'visitor');
      await convo.visitorSends('hello');
      const laptop = { kind: 'device' as const, deviceId: world.device('ada-laptop').keys.deviceId };
      const [envelope] = world.relay.take(convo.conversationId, laptop);
      if (envelope === undefined) throw new RangeError('nothing queued');
      const genuine = decodeEnvelope(envelope).body;
      const packet = decode(conversationPacketCodec, genuine, 'packet');
      if (packet.session.kind !== 'initial') throw new RangeError('not a first contact');
      const bad = encode(conversationPacketCodec, {
        ...packet,
        session: {
          ...packet.session,
          header: { ...packet.session.header, [field]: fromHex(LOW_ORDER_POINTS[0]?.[1] ?? '') },
        },
      });
      const outcome = await convo.agentReceives('ada-laptop', bad);
      expect(outcome.ok).toBe(false);
      expect(convo.agent('ada-laptop').errors[0]).toBeInstanceOf(errorClass);
      expect(convo.agent('ada-laptop').state).toBeUndefined();
      expect((await convo.agentReceives('ada-laptop', genuine)).ok).toBe(true);
      expect(texts(convo.agent('ada-laptop'))).toEqual(['hello']);
    });
  }
});

describe('bad input at a client: device lists, keys, names, padding (security brief §4)', () => {
  /** A device-list body codec with a larger cap than the protocol's, so the relay can write what clients must refuse. */
  const oversizedBodyCodec = versioned(
    struct({
      accountId: accountIdCodec,
      version: u32,
      previousHash: fixedBytes(32),
      accountKey: fixedBytes(32),
      recoveryKey: optional(fixedBytes(32)),
      issuedAt: u64,
      devices: list(deviceEntryCodec, 10_000),
    }),
  );

  async function expectListRefused(
    world: ProtocolWorld,
    signed: SignedDeviceList,
    errorClass: abstract new (...args: never[]) => SealdeskError,
  ): Promise<void> {
    const view = createDirectoryView(world.pin);
    const before = snapshot(view);
    const update = await receiveDeviceList(view, signed, world.newEnv('visitor'));
    expect(update.outcome).toBe('rejected');
    expect(update.rejected).toBeInstanceOf(errorClass);
    expect(update.state).toBe(view);
    expect(snapshot(view)).toBe(before);
    // … and the genuine list is still accepted by the same view.
    const honest = await receiveDeviceList(view, world.currentSigned, world.newEnv('visitor'));
    expect(honest.outcome).toBe('accepted');
  }

  it(`a device list past the cap of ${LIMITS.maxDevicesPerList} devices: DecodeError before allocation, view unchanged`, async () => {
    const world = await ProtocolWorld.create('oversized-list');
    const list = world.currentList;
    const template = list.devices[0];
    if (template === undefined) throw new RangeError('empty list');
    const devices: DeviceEntry[] = [];
    for (let i = 0; i <= LIMITS.maxDevicesPerList; i++) {
      const id = new Uint8Array(16);
      id[0] = i;
      id[1] = 0xaa;
      devices.push({ ...template, deviceId: id as DeviceEntry['deviceId'] });
    }
    const body = encode(oversizedBodyCodec, { ...list, recoveryKey: undefined, devices });
    await expectListRefused(world, { body, signature: world.currentSigned.signature }, DecodeError);
    expect(() => decodeDeviceListBody(body)).toThrow(DecodeError);
  });

  it('a device list naming one device id twice: typed error, view unchanged', async () => {
    const world = await ProtocolWorld.create('duplicate-ids');
    const list = world.currentList;
    const first = list.devices[1];
    if (first === undefined) throw new RangeError('short list');
    const body = encodeDeviceListBody({ ...list, devices: [...list.devices, first] });
    await expectListRefused(world, { body, signature: world.currentSigned.signature }, DecodeError);
  });

  for (const [what, name] of [
    ['a right-to-left override (U+202E)', 'Ada\u202Etnega'],
    ['a zero-width space (U+200B)', 'Ad\u200Ba'],
    ['a zero-width joiner (U+200D)', 'Ada\u200D'],
    ['a bidi isolate (U+2066)', '\u2066Olivia'],
  ] as const) {
    it(`a device list whose agent name contains ${what}: InvalidDisplayNameError, view unchanged`, async () => {
      const world = await ProtocolWorld.create(`spoof-${what}`);
      const rogue = await rogueDevice(world.newEnv('attacker'));
      const list = world.currentList;
      const body = encodeDeviceListBody({ ...list, devices: [...list.devices, { ...rogue.entry, agentName: name }] });
      await expectListRefused(world, { body, signature: world.currentSigned.signature }, InvalidDisplayNameError);
    });
  }

  it('malformed device list signatures (empty, 63 bytes, 65 bytes, all zero): SignatureError with a bad-signature alert', async () => {
    const world = await ProtocolWorld.create('bad-signature-bytes');
    const sig = world.currentSigned.signature;
    for (const signature of [
      new Uint8Array(0),
      sig.slice(0, 63),
      concatBytes(sig, new Uint8Array([0])),
      new Uint8Array(64),
    ]) {
      const view = createDirectoryView(world.pin);
      const update = await receiveDeviceList(
        view,
        { body: world.currentSigned.body, signature },
        world.newEnv('visitor'),
      );
      expect(update.rejected).toBeInstanceOf(SignatureError);
      expect(update.alerts.map((a) => a.kind)).toEqual([ALERT_KINDS.badSignature]);
      expect(update.state).toBe(view);
    }
  });

  it('F21: an unknown version in a device list body or a prekey bundle: DecodeError', async () => {
    const world = await ProtocolWorld.create('unknown-version-list');
    const body = new Uint8Array(world.currentSigned.body);
    body[0] = 3;
    await expectListRefused(world, { body, signature: world.currentSigned.signature }, DecodeError);
    const bundle = world.relay.fetchPrekeyBundle(world.device('ada-laptop').keys.deviceId, 'visitor');
    if (bundle === undefined) throw new RangeError('no bundle');
    const bytes = encodePrekeyBundle(bundle);
    for (const [index, value] of [
      [0, 3],
      [1, 9],
    ] as const) {
      const bad = new Uint8Array(bytes);
      bad[index] = value;
      expect(() => decodePrekeyBundle(bad)).toThrow(DecodeError);
    }
  });

  it('keys of the wrong length in a prekey bundle: refused with a typed error and a bad-signature alert, other devices unaffected', async () => {
    const world = await ProtocolWorld.create('wrong-key-length');
    const laptopId = world.device('ada-laptop').keys.deviceId;
    world.relay.bundleHook = (honest) =>
      honest.deviceId.every((b, i) => b === laptopId[i])
        ? { ...honest, signedPrekey: honest.signedPrekey.slice(0, 31) }
        : honest;
    const convo = await WorldConversation.start(world, 'visitor');
    expect(convo.startAlerts.map((a) => a.kind)).toEqual([ALERT_KINDS.badSignature]);
    await expectHonestRoundTrip(convo, 'after-short-key', 'ada-phone');
    await expect(
      safetyCode(convo.conversationId, new Uint8Array(31), new Uint8Array(32).fill(1)),
    ).rejects.toBeInstanceOf(InvalidKeyError);
  });

  it('bad padding (wrong bucket, length past the end, non-zero filler): DecodeError', () => {
    const good = pad(utf8Encode('hello'));
    expect(unpad(good)).toEqual(utf8Encode('hello'));
    const nonZero = new Uint8Array(good);
    nonZero[good.length - 1] = 1;
    const pastEnd = new Uint8Array(good);
    new DataView(pastEnd.buffer).setUint32(0, good.length);
    for (const bad of [nonZero, pastEnd, good.slice(0, 255), concatBytes(good, new Uint8Array(1)), new Uint8Array(3)]) {
      expect(() => unpad(bad)).toThrow(DecodeError);
    }
  });
});
