/**
 * The new device's proof of possession of its signing key (docs/PROTOCOL.md §10.2, §4.1): an
 * Ed25519 signature by the new device's signing key over exactly the fields of its device entry
 * that it can know before it is listed, so the AIK holder lists only keys whose owner asked for it.
 *
 *   popMessage = "sealdesk/v2/device-entry-pop" || 0x00 || accountId[16] || deviceId[16]
 *                || signingKey[32] || dhIdentityKey[32] || agentId[16]
 *
 * The new device signs it in its hello; the existing device verifies it before it shows a code and
 * carries it in the release (`LinkRelease.proofOfPossession`) for the directory to store.
 */
import { concatBytes, ed25519Sign, ed25519Verify } from '../../crypto/index.js';
import { SignatureError } from '../../errors/index.js';
import type { AccountId, DeviceId } from '../../wire/index.js';
import { LINKING_LABELS, linkingLabelled } from './linking-labels.js';

/** The signed fields, in this order. */
export interface DeviceEntryPopFields {
  readonly accountId: AccountId;
  readonly deviceId: DeviceId;
  readonly signingKey: Uint8Array;
  readonly dhIdentityKey: Uint8Array;
  readonly agentId: Uint8Array;
}

export function deviceEntryPopMessage(fields: DeviceEntryPopFields): Uint8Array {
  const { accountId, deviceId, signingKey, dhIdentityKey, agentId } = fields;
  return linkingLabelled(
    LINKING_LABELS.deviceEntryPop,
    concatBytes(accountId, deviceId, signingKey, dhIdentityKey, agentId),
  );
}

export async function signDeviceEntryPop(
  signingPrivateKey: CryptoKey,
  fields: DeviceEntryPopFields,
): Promise<Uint8Array> {
  return ed25519Sign(signingPrivateKey, deviceEntryPopMessage(fields));
}

/** SignatureError unless `signature` is fields.signingKey's signature over the fields. */
export async function verifyDeviceEntryPop(fields: DeviceEntryPopFields, signature: Uint8Array): Promise<void> {
  if (!(await ed25519Verify(fields.signingKey, deviceEntryPopMessage(fields), signature))) {
    throw new SignatureError('the new device’s proof of possession of its signing key does not verify');
  }
}
