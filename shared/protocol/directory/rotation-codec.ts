/**
 * Byte layout of an account key rotation statement (docs/PROTOCOL.md §11.3), wire codec of §2.
 *
 *   RotationStatement = version u8 || suite u8 || accountId [16] || oldAccountKey [32]
 *                       || newAccountKey [32] || authority u8 (1 = old AIK, 2 = recovery key)
 *                       || lastListVersion u32 || lastListHash [32] || issuedAt u64
 *   SignedRotation    = version u8 || suite u8 || body varBytes(256)
 *                       || authoritySignature [64] || newKeySignature [64]
 */
import { ED25519_PUBLIC_KEY_BYTES, ED25519_SIGNATURE_BYTES } from '../../crypto/index.js';
import {
  type Codec,
  decode,
  encode,
  fixedBytes,
  struct,
  u32,
  u64,
  u8,
  varBytes,
  type AccountId,
  accountIdCodec,
} from '../../wire/index.js';
import { HASH_BYTES } from './device-list-codec.js';
import { versioned } from '../core/index.js';

export const ROTATION_AUTHORITIES = { accountKey: 'account-key', recoveryKey: 'recovery-key' } as const;
export type RotationAuthority = (typeof ROTATION_AUTHORITIES)[keyof typeof ROTATION_AUTHORITIES];

const AUTHORITY_TAGS: Readonly<Record<RotationAuthority, number>> = { 'account-key': 1, 'recovery-key': 2 };

const authorityCodec: Codec<RotationAuthority> = {
  write: (w, value) => {
    u8.write(w, AUTHORITY_TAGS[value]);
  },
  read: (r) => {
    const tag = r.u8();
    if (tag === 1) return ROTATION_AUTHORITIES.accountKey;
    if (tag === 2) return ROTATION_AUTHORITIES.recoveryKey;
    throw r.fail(`unknown rotation authority tag ${tag}`);
  },
};

export interface RotationStatement {
  readonly accountId: AccountId;
  readonly oldAccountKey: Uint8Array;
  readonly newAccountKey: Uint8Array;
  readonly authority: RotationAuthority;
  /** The newest device list version signed by the old key, and its chain hash. */
  readonly lastListVersion: number;
  readonly lastListHash: Uint8Array;
  readonly issuedAt: number;
}

export interface SignedRotation {
  readonly body: Uint8Array;
  /** By the old AIK or the recovery signing key, over "sealdesk/v2/account-key-rotation" || 0x00 || body. */
  readonly authoritySignature: Uint8Array;
  /** By the new AIK, over "sealdesk/v2/account-key-rotation/new-key" || 0x00 || body (proof of possession). */
  readonly newKeySignature: Uint8Array;
}

export const MAX_ROTATION_BODY_BYTES = 256;

export const rotationStatementCodec: Codec<RotationStatement> = versioned(
  struct<RotationStatement>({
    accountId: accountIdCodec,
    oldAccountKey: fixedBytes(ED25519_PUBLIC_KEY_BYTES),
    newAccountKey: fixedBytes(ED25519_PUBLIC_KEY_BYTES),
    authority: authorityCodec,
    lastListVersion: u32,
    lastListHash: fixedBytes(HASH_BYTES),
    issuedAt: u64,
  }),
);

export const signedRotationCodec: Codec<SignedRotation> = versioned(
  struct<SignedRotation>({
    body: varBytes(MAX_ROTATION_BODY_BYTES),
    authoritySignature: fixedBytes(ED25519_SIGNATURE_BYTES),
    newKeySignature: fixedBytes(ED25519_SIGNATURE_BYTES),
  }),
);

export function encodeSignedRotation(rotation: SignedRotation): Uint8Array {
  return encode(signedRotationCodec, rotation);
}

export function decodeSignedRotation(bytes: Uint8Array): SignedRotation {
  return decode(signedRotationCodec, bytes, 'signedRotation');
}

export function decodeRotationStatement(bytes: Uint8Array): RotationStatement {
  return decode(rotationStatementCodec, bytes, 'rotationStatement');
}
