/**
 * Sealed box (docs/PROTOCOL.md §9.4): encrypt a small secret to one device's X25519 identity key
 * and sign it with the sender device's Ed25519 key, so that neither the relay nor any device
 * other than the recipient can read it, and the recipient knows which authorised device sent it.
 *
 * Construction (ECIES/HPKE-style, RFC 9180 §4.1 DHKEM idea with HKDF-SHA-256, then an Ed25519
 * signature in the manner of RFC 9180 §5.1.4 "Auth" mode replaced by a signature, because the
 * sender's identity key here is an Ed25519 signing key):
 *   ss       = X25519(ephemeral, recipientKey)                 (RFC 7748 §6.1: all-zero refused)
 *   key||iv  = HKDF-SHA-256(ikm = ss, salt = ephemeralKey || recipientKey,
 *                           info = "sealdesk/v2/sealed-box/key" || 0x00 || header, L = 44)
 *   ct       = AES-256-GCM(key, iv, plaintext, aad = "sealdesk/v2/sealed-box/aad" || 0x00 || header)
 *   sig      = Ed25519(sender, "sealdesk/v2/sealed-box/signature" || 0x00 || body)
 * The key is used for exactly one encryption, so a derived IV is safe (SP 800-38D §8.2.1).
 */
import {
  aesGcmDecrypt,
  aesGcmEncrypt,
  concatBytes,
  constantTimeEqual,
  type Ed25519KeyPair,
  ed25519Sign,
  ed25519Verify,
  hkdfSha256,
  type X25519KeyPair,
  x25519,
  x25519KeyPairFromSeed,
} from '../../crypto/index.js';
import { DecodeError, LimitError, SignatureError } from '../../errors/index.js';
import { decode, encode, type DeviceId, idEquals } from '../../wire/index.js';
import { type ProtocolEnv, ProtocolStateError, UnauthorisedDeviceError } from '../core/index.js';
import {
  SEALED_BOX_LIMITS,
  type SealedBoxHeader,
  type SealedBoxPurpose,
  sealedBoxBodyCodec,
  sealedBoxCodec,
  sealedBoxHeaderCodec,
} from './sealed-box-codec.js';
import { SEALED_BOX_LABELS, sealedBoxLabelled } from './sealed-box-labels.js';

/** The sending device: its id and its Ed25519 signing key pair (DeviceKeys of identity/device-keys.ts fits). */
export interface SealedBoxSender {
  readonly deviceId: DeviceId;
  readonly signing: Ed25519KeyPair;
}

/** The receiving device as listed: its id and X25519 identity public key (dhIdentityKey). */
export interface SealedBoxRecipient {
  readonly deviceId: DeviceId;
  readonly dhIdentityKey: Uint8Array;
}

/** The receiving device itself: its id and X25519 identity key pair (DeviceKeys of identity/device-keys.ts fits). */
export interface SealedBoxOwner {
  readonly deviceId: DeviceId;
  readonly identityDh: X25519KeyPair;
}

/** A device allowed to send sealed boxes: an entry of the verified current device list. */
export interface SealedBoxAuthorisedSender {
  readonly deviceId: DeviceId;
  readonly signingKey: Uint8Array;
}

async function deriveBoxKey(
  sharedSecret: Uint8Array,
  header: SealedBoxHeader,
): Promise<{ key: Uint8Array; iv: Uint8Array }> {
  const headerBytes = encode(sealedBoxHeaderCodec, header);
  const okm = await hkdfSha256(
    sharedSecret,
    concatBytes(header.ephemeralKey, header.recipientKey),
    sealedBoxLabelled(SEALED_BOX_LABELS.key, headerBytes),
    44,
  );
  return { key: okm.slice(0, 32), iv: okm.slice(32, 44) };
}

function boxAad(header: SealedBoxHeader): Uint8Array {
  return sealedBoxLabelled(SEALED_BOX_LABELS.aad, encode(sealedBoxHeaderCodec, header));
}

/** Seals `plaintext` to `recipient`, signed by `sender`. Returns the encoded sealed box. */
export async function sealToDevice(
  env: ProtocolEnv,
  sender: SealedBoxSender,
  recipient: SealedBoxRecipient,
  purpose: SealedBoxPurpose,
  plaintext: Uint8Array,
): Promise<Uint8Array> {
  if (plaintext.length > SEALED_BOX_LIMITS.maxPlaintextBytes) {
    throw new LimitError(
      `sealed box plaintext of ${plaintext.length} bytes exceeds ${SEALED_BOX_LIMITS.maxPlaintextBytes}`,
    );
  }
  const ephemeral = await x25519KeyPairFromSeed(env.rng(32));
  const header: SealedBoxHeader = {
    purpose,
    senderDeviceId: sender.deviceId,
    recipientDeviceId: recipient.deviceId,
    recipientKey: recipient.dhIdentityKey,
    ephemeralKey: ephemeral.publicKey,
  };
  // RFC 7748 §6.1: x25519() refuses a low-order recipient key (all-zero shared secret).
  const shared = await x25519(ephemeral.privateKey, recipient.dhIdentityKey);
  const { key, iv } = await deriveBoxKey(shared, header);
  const ciphertext = await aesGcmEncrypt(key, iv, plaintext, boxAad(header));
  const body = { ...header, ciphertext };
  const bodyBytes = encode(sealedBoxBodyCodec, body);
  const signature = await ed25519Sign(
    sender.signing.privateKey,
    sealedBoxLabelled(SEALED_BOX_LABELS.signature, bodyBytes),
  );
  return encode(sealedBoxCodec, { body, signature });
}

/** Reads the sender device id of a sealed box without opening it (to look up its list entry). */
export function sealedBoxSender(bytes: Uint8Array): DeviceId {
  return decode(sealedBoxCodec, bytes, 'sealedBox').body.senderDeviceId;
}

/**
 * Verifies and opens a sealed box addressed to `owner`. Checks, in order: strict decoding
 * (DecodeError), the expected purpose (DecodeError), the addressee (ProtocolStateError), the
 * sender is in `authorisedSenders` (UnauthorisedDeviceError), the signature (SignatureError),
 * then the X25519 and AEAD steps (InvalidKeyError, DecryptError). Nothing is returned unless all pass.
 */
export async function openSealedBox(
  bytes: Uint8Array,
  owner: SealedBoxOwner,
  purpose: SealedBoxPurpose,
  authorisedSenders: readonly SealedBoxAuthorisedSender[],
): Promise<{ readonly plaintext: Uint8Array; readonly senderDeviceId: DeviceId }> {
  const box = decode(sealedBoxCodec, bytes, 'sealedBox');
  const { body } = box;
  // Purposes are compared as numbers: a new purpose must never be accepted where another is expected.
  const got: number = body.purpose;
  const want: number = purpose;
  if (got !== want) throw new DecodeError(`sealed box purpose ${got} is not the expected ${want}`);
  if (
    !idEquals(body.recipientDeviceId, owner.deviceId) ||
    !constantTimeEqual(body.recipientKey, owner.identityDh.publicKey)
  ) {
    throw new ProtocolStateError('sealed box is addressed to another device');
  }
  const sender = authorisedSenders.find((s) => idEquals(s.deviceId, body.senderDeviceId));
  if (sender === undefined) throw new UnauthorisedDeviceError('sealed box sender is not in the current device list');
  const bodyBytes = encode(sealedBoxBodyCodec, body);
  const valid = await ed25519Verify(
    sender.signingKey,
    sealedBoxLabelled(SEALED_BOX_LABELS.signature, bodyBytes),
    box.signature,
  );
  if (!valid) throw new SignatureError('sealed box signature does not verify with the sender device key');
  const header: SealedBoxHeader = {
    purpose: body.purpose,
    senderDeviceId: body.senderDeviceId,
    recipientDeviceId: body.recipientDeviceId,
    recipientKey: body.recipientKey,
    ephemeralKey: body.ephemeralKey,
  };
  const shared = await x25519(owner.identityDh.privateKey, body.ephemeralKey);
  const { key, iv } = await deriveBoxKey(shared, header);
  const plaintext = await aesGcmDecrypt(key, iv, body.ciphertext, boxAad(header));
  return { plaintext, senderDeviceId: body.senderDeviceId };
}
