/**
 * Byte layout of the account identity backup (docs/PROTOCOL.md §11.2), in the wire codec of §2.
 *
 *   IdentityBackup = version u8 || suite u8 || accountId [16] || iv [12]
 *                    || ciphertext varBytes(64)   (AES-256-GCM of the 32-byte AIK seed, tag included)
 */
import { GCM_IV_BYTES } from '../../crypto/index.js';
import {
  type Codec,
  decode,
  encode,
  fixedBytes,
  struct,
  varBytes,
  type AccountId,
  accountIdCodec,
} from '../../wire/index.js';
import { versioned } from '../core/index.js';

export interface IdentityBackup {
  readonly accountId: AccountId;
  readonly iv: Uint8Array;
  readonly ciphertext: Uint8Array;
}

export const MAX_BACKUP_CIPHERTEXT_BYTES = 64;

export const identityBackupCodec: Codec<IdentityBackup> = versioned(
  struct<IdentityBackup>({
    accountId: accountIdCodec,
    iv: fixedBytes(GCM_IV_BYTES),
    ciphertext: varBytes(MAX_BACKUP_CIPHERTEXT_BYTES),
  }),
);

export function encodeIdentityBackup(backup: IdentityBackup): Uint8Array {
  return encode(identityBackupCodec, backup);
}

export function decodeIdentityBackup(bytes: Uint8Array): IdentityBackup {
  return decode(identityBackupCodec, bytes, 'identityBackup');
}
