/**
 * Byte layout of a sealed box (docs/PROTOCOL.md §9.4): an authenticated "encrypt to a device's
 * X25519 identity key, signed by the sender device" used to hand keys to devices.
 *
 *   header    = u8 version | u8 suite | u8 purpose | senderDeviceId[16] | recipientDeviceId[16]
 *               | recipientKey[32] | ephemeralKey[32]
 *   body      = header | u32 length | ciphertext (AES-256-GCM, tag included)
 *   sealedBox = body | signature[64]   (Ed25519 by the sender device over label || 0x00 || body)
 */
import {
  type Codec,
  fixedBytes,
  refine,
  struct,
  u8,
  varBytes,
  type DeviceId,
  deviceIdCodec,
} from '../../wire/index.js';
import { versioned } from '../core/index.js';

/** What a sealed box carries; the recipient names the purpose it expects, so boxes cannot be re-used elsewhere. */
export const SEALED_BOX_PURPOSES = {
  /** A batch of inbox archive keys (§9.4). */
  archiveKeys: 1,
} as const;
export type SealedBoxPurpose = (typeof SEALED_BOX_PURPOSES)[keyof typeof SEALED_BOX_PURPOSES];

const KNOWN_PURPOSES: readonly number[] = Object.values(SEALED_BOX_PURPOSES);

export const SEALED_BOX_LIMITS = {
  /** Largest plaintext of one sealed box (fits an envelope body with room to spare, §14). */
  maxPlaintextBytes: 16_384,
  /** Plaintext + 16-byte GCM tag. */
  maxCiphertextBytes: 16_384 + 16,
} as const;

export interface SealedBoxHeader {
  readonly purpose: SealedBoxPurpose;
  readonly senderDeviceId: DeviceId;
  readonly recipientDeviceId: DeviceId;
  /** The recipient's X25519 identity key (dhIdentityKey of its device list entry). */
  readonly recipientKey: Uint8Array;
  /** Fresh X25519 public key of the sender, used for this box only. */
  readonly ephemeralKey: Uint8Array;
}

export interface SealedBoxBody extends SealedBoxHeader {
  readonly ciphertext: Uint8Array;
}

export interface SealedBox {
  readonly body: SealedBoxBody;
  readonly signature: Uint8Array;
}

const purposeCodec: Codec<SealedBoxPurpose> = refine(u8, (p) =>
  KNOWN_PURPOSES.includes(p) ? undefined : `unknown sealed box purpose ${p}`,
) as Codec<SealedBoxPurpose>;

const headerFields = {
  purpose: purposeCodec,
  senderDeviceId: deviceIdCodec,
  recipientDeviceId: deviceIdCodec,
  recipientKey: fixedBytes(32),
  ephemeralKey: fixedBytes(32),
};

export const sealedBoxHeaderCodec: Codec<SealedBoxHeader> = versioned(struct<SealedBoxHeader>(headerFields));

export const sealedBoxBodyCodec: Codec<SealedBoxBody> = versioned(
  struct<SealedBoxBody>({ ...headerFields, ciphertext: varBytes(SEALED_BOX_LIMITS.maxCiphertextBytes) }),
);

export const sealedBoxCodec: Codec<SealedBox> = struct<SealedBox>({
  body: sealedBoxBodyCodec,
  signature: fixedBytes(64),
});
