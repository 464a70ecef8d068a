/**
 * Adding a linked device to the signed device list (docs/PROTOCOL.md §10.5 step 6, §4.3–§4.5),
 * for the device that holds the account identity key (AIK). It verifies the previous list
 * against the AIK, checks that the device which ran the link may ask for this change
 * (authoriseChange: e.g. an agent may add its own devices, with its own role), and signs the next
 * version. A device without the AIK sends a signed change request instead (directory
 * list-change-request.ts). The entry carries the new device's proof of possession from its hello
 * (verified by the existing device, §10.5 step 2) and the existing device as its sponsor.
 */
import type { DeviceId } from '../../wire/index.js';
import type { AccountIdentity } from '../identity/index.js';
import { applyChange, authoriseChange, createNextDeviceList, verifySignedDeviceList } from '../directory/index.js';
import type { ProtocolEnv, SignedDeviceList } from '../core/index.js';
import type { LinkRelease } from './linking-existing-device.js';

export async function listLinkedDevice(
  identity: AccountIdentity,
  previous: SignedDeviceList,
  sponsorDeviceId: DeviceId,
  release: LinkRelease,
  env: ProtocolEnv,
): Promise<SignedDeviceList> {
  const list = await verifySignedDeviceList(previous, identity.signing.publicKey);
  const change = {
    kind: 'add-device' as const,
    device: { ...release.entry, sponsorId: sponsorDeviceId },
  };
  authoriseChange(list, sponsorDeviceId, change);
  const { devices } = applyChange(list, change);
  return createNextDeviceList(identity, previous, { devices }, env);
}
