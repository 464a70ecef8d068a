import { describe, expect, it } from 'vitest';
import { ed25519Sign } from '../../../shared/crypto/index.js';
import {
  DecodeError,
  DecryptError,
  InvalidKeyError,
  LimitError,
  SignatureError,
} from '../../../shared/errors/index.js';
import {
  ProtocolStateError,
  UnauthorisedDeviceError,
  openSealedBox,
  sealToDevice,
  sealedBoxSender,
} from '../../../shared/protocol/index.js';
import {
  SEALED_BOX_LIMITS,
  SEALED_BOX_PURPOSES,
  type SealedBoxBody,
  sealedBoxBodyCodec,
  sealedBoxCodec,
} from '../../../shared/protocol/archive/sealed-box-codec.js';
import { SEALED_BOX_LABELS, sealedBoxLabelled } from '../../../shared/protocol/archive/sealed-box-labels.js';
import { decode, encode, idEquals } from '../../../shared/wire/index.js';
import { hashSeededEnv } from '../../support/hash-seeded-env.js';
import { testDevice } from '../../support/test-device.js';

const PURPOSE = SEALED_BOX_PURPOSES.archiveKeys;

async function setup() {
  const env = hashSeededEnv('sealed-box');
  const alice = await testDevice(env, 'Alice');
  const bob = await testDevice(env, 'Bob');
  const carol = await testDevice(env, 'Carol');
  const secret = new TextEncoder().encode('archive key material');
  const box = await sealToDevice(env, alice.keys, bob.entry, PURPOSE, secret);
  return { env, alice, bob, carol, secret, box };
}

/** Re-signs a modified body with the sender's real key: what a malicious authorised sender could send. */
type MutableBody = { -readonly [K in keyof SealedBoxBody]: SealedBoxBody[K] };

async function resign(box: Uint8Array, signer: CryptoKey, edit: (body: MutableBody) => void): Promise<Uint8Array> {
  const parsed = decode(sealedBoxCodec, box);
  const body: MutableBody = { ...parsed.body };
  edit(body);
  const bodyBytes = encode(sealedBoxBodyCodec, body);
  const signature = await ed25519Sign(signer, sealedBoxLabelled(SEALED_BOX_LABELS.signature, bodyBytes));
  return encode(sealedBoxCodec, { body, signature });
}

describe('sealed box', () => {
  it('round-trips to the addressed device and names the sender', async () => {
    const { alice, bob, secret, box } = await setup();
    expect(idEquals(sealedBoxSender(box), alice.keys.deviceId)).toBe(true);
    const opened = await openSealedBox(box, bob.keys, PURPOSE, [alice.entry, bob.entry]);
    expect(opened.plaintext).toEqual(secret);
    expect(idEquals(opened.senderDeviceId, alice.keys.deviceId)).toBe(true);
  });

  it('hides the plaintext: two boxes of one secret differ and neither contains it', async () => {
    const { env, alice, bob, secret, box } = await setup();
    const again = await sealToDevice(env, alice.keys, bob.entry, PURPOSE, secret);
    expect(again).not.toEqual(box);
    expect(Buffer.from(box).includes(Buffer.from(secret))).toBe(false);
  });

  it('is refused by any other device (ProtocolStateError), even one holding a listed key', async () => {
    const { alice, carol, box } = await setup();
    await expect(openSealedBox(box, carol.keys, PURPOSE, [alice.entry])).rejects.toBeInstanceOf(ProtocolStateError);
  });

  it('is refused from a sender absent from the current device list (UnauthorisedDeviceError)', async () => {
    const { bob, carol, box } = await setup();
    await expect(openSealedBox(box, bob.keys, PURPOSE, [carol.entry])).rejects.toBeInstanceOf(UnauthorisedDeviceError);
  });

  it('is refused when the listed sender key does not verify (a relay re-labelling the sender)', async () => {
    const { alice, bob, carol, box } = await setup();
    const impostor = { deviceId: alice.entry.deviceId, signingKey: carol.entry.signingKey };
    await expect(openSealedBox(box, bob.keys, PURPOSE, [impostor])).rejects.toBeInstanceOf(SignatureError);
  });

  it('rejects a flipped ciphertext bit with SignatureError (the signature covers the ciphertext)', async () => {
    const { alice, bob, box } = await setup();
    const tampered = new Uint8Array(box);
    tampered[tampered.length - 70] = (tampered[tampered.length - 70] ?? 0) ^ 0x01;
    await expect(openSealedBox(tampered, bob.keys, PURPOSE, [alice.entry])).rejects.toBeInstanceOf(SignatureError);
  });

  it('rejects a validly signed box whose ciphertext does not authenticate (DecryptError)', async () => {
    const { alice, bob, box } = await setup();
    const forged = await resign(box, alice.keys.signing.privateKey, (body) => {
      const ciphertext = new Uint8Array(body.ciphertext);
      ciphertext[0] = (ciphertext[0] ?? 0) ^ 0x80;
      body.ciphertext = ciphertext;
    });
    await expect(openSealedBox(forged, bob.keys, PURPOSE, [alice.entry])).rejects.toBeInstanceOf(DecryptError);
  });

  it('rejects a low-order ephemeral key (InvalidKeyError, RFC 7748 §6.1)', async () => {
    const { alice, bob, box } = await setup();
    const forged = await resign(box, alice.keys.signing.privateKey, (body) => {
      body.ephemeralKey = new Uint8Array(32); // u = 0, low order
    });
    await expect(openSealedBox(forged, bob.keys, PURPOSE, [alice.entry])).rejects.toBeInstanceOf(InvalidKeyError);
  });

  it('refuses to seal to a low-order recipient key (InvalidKeyError)', async () => {
    const { env, alice, bob } = await setup();
    const bad = { deviceId: bob.entry.deviceId, dhIdentityKey: new Uint8Array(32) };
    await expect(sealToDevice(env, alice.keys, bad, PURPOSE, new Uint8Array(1))).rejects.toBeInstanceOf(
      InvalidKeyError,
    );
  });

  it('refuses plaintexts past the cap (LimitError)', async () => {
    const { env, alice, bob } = await setup();
    const big = new Uint8Array(SEALED_BOX_LIMITS.maxPlaintextBytes + 1);
    await expect(sealToDevice(env, alice.keys, bob.entry, PURPOSE, big)).rejects.toBeInstanceOf(LimitError);
  });

  it('rejects truncated input, trailing bytes, an unknown version and an unknown purpose (DecodeError)', async () => {
    const { alice, bob, box } = await setup();
    const senders = [alice.entry];
    await expect(openSealedBox(box.subarray(0, box.length - 1), bob.keys, PURPOSE, senders)).rejects.toBeInstanceOf(
      DecodeError,
    );
    await expect(openSealedBox(new Uint8Array([...box, 0]), bob.keys, PURPOSE, senders)).rejects.toBeInstanceOf(
      DecodeError,
    );
    const v2 = new Uint8Array(box);
    v2[0] = 3;
    await expect(openSealedBox(v2, bob.keys, PURPOSE, senders)).rejects.toBeInstanceOf(DecodeError);
    const purpose = new Uint8Array(box);
    purpose[2] = 99;
    await expect(openSealedBox(purpose, bob.keys, PURPOSE, senders)).rejects.toBeInstanceOf(DecodeError);
    await expect(openSealedBox(new Uint8Array(0), bob.keys, PURPOSE, senders)).rejects.toBeInstanceOf(DecodeError);
  });
});
