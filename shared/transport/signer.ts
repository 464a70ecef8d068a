/**
 * Device authentication to the relay (PROTOCOL §16.5): an Ed25519 signature by the enrolled
 * device key over deviceAuthMessage(challenge, accountId, deviceId). The same signature opens a
 * WebSocket (hello-device) and an HTTP device session. The key stays a non-extractable CryptoKey.
 */
import { ed25519Sign } from '../crypto/index.js';
import { type AccountId, type DeviceId, deviceAuthMessage } from '../wire/index.js';

/** Signs bytes with the device's Ed25519 key. */
export type Signer = (message: Uint8Array) => Promise<Uint8Array>;

export function ed25519Signer(privateKey: CryptoKey): Signer {
  return (message) => ed25519Sign(privateKey, message);
}

/** An enrolled device as the relay knows it: account, device, and a signer for its device key. */
export interface DeviceCredentials {
  readonly accountId: AccountId;
  readonly deviceId: DeviceId;
  readonly sign: Signer;
}

/** §16.5: the signature answering one relay challenge. */
export function signChallenge(device: DeviceCredentials, challenge: Uint8Array): Promise<Uint8Array> {
  return device.sign(deviceAuthMessage(challenge, device.accountId, device.deviceId));
}
