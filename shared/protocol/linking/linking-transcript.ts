/**
 * The cryptographic core of device linking (docs/PROTOCOL.md §10.3): commitment, transcript hash,
 * short authentication string and channel key. The shape is the commit-then-reveal SAS exchange
 * of ZRTP (RFC 6189 §4.4.1.1 hash commitment, §7 SAS) and of MANA-IV / Bluetooth numeric
 * comparison: the existing device commits to its offer in the QR code (an authentic channel) and
 * reveals it only after the new device's hello arrived, so a relay in the middle must pick its
 * keys before it learns anything that decides the code: it matches with probability 10^-6, with
 * one try.
 *
 *   commitment = SHA-256("sealdesk/v2/link/commitment" || 0x00 || offer)
 *   transcript = SHA-256("sealdesk/v2/link/transcript" || 0x00 || payload || hello || offer)
 *   code       = shortAuthCode(HKDF-SHA-256(transcript, salt = "", info = "sealdesk/v2/link/sas", 32))
 *   key || iv  = HKDF-SHA-256(X25519(e_existing, e_new), salt = transcript, info = "sealdesk/v2/link/channel", 44)
 */
import { importAesGcmKey, concatBytes, utf8Encode, shortAuthCode, sha256, hkdfSha256 } from '../../crypto/index.js';
import { LINKING_LABELS, linkingLabelled } from './linking-labels.js';

export async function linkCommitment(offerBytes: Uint8Array): Promise<Uint8Array> {
  return sha256(linkingLabelled(LINKING_LABELS.commitment, offerBytes));
}

export async function linkTranscript(payload: Uint8Array, hello: Uint8Array, offer: Uint8Array): Promise<Uint8Array> {
  return sha256(linkingLabelled(LINKING_LABELS.transcript, concatBytes(payload, hello, offer)));
}

/** The 6-digit code both screens show. */
export async function linkCode(transcript: Uint8Array): Promise<string> {
  return shortAuthCode(await hkdfSha256(transcript, new Uint8Array(0), utf8Encode(LINKING_LABELS.sas), 32));
}

export interface LinkChannel {
  /** Non-extractable AES-256-GCM key, used for the single grant message. */
  readonly key: CryptoKey;
  readonly iv: Uint8Array;
}

export async function linkChannel(sharedSecret: Uint8Array, transcript: Uint8Array): Promise<LinkChannel> {
  const okm = await hkdfSha256(sharedSecret, transcript, utf8Encode(LINKING_LABELS.channel), 44);
  const key = await importAesGcmKey(okm.subarray(0, 32));
  const iv = okm.slice(32, 44);
  okm.fill(0);
  return { key, iv };
}

export function grantAad(transcript: Uint8Array): Uint8Array {
  return linkingLabelled(LINKING_LABELS.grantAad, transcript);
}
