/**
 * An account with an owner device, a new device to link, and the first two linking steps: the
 * existing (owner) device shows the QR payload, the new device scans it and makes its hello.
 */
import {
  createAccountIdentity,
  createArchiveKeyring,
  createDeviceKeys,
  createFirstDeviceList,
  verifySignedDeviceList,
  startExistingDeviceLink,
  startNewDeviceLink,
} from '../../shared/protocol/index.js';
import { hashSeededEnv } from './hash-seeded-env.js';
import { bindAccount } from './account-binding.js';
import { testDevice } from './test-device.js';

export async function linkingWorld(seed = 'linking') {
  const env = hashSeededEnv(seed);
  const { identity } = await createAccountIdentity(env);
  const account = { accountId: identity.accountId, accountKey: identity.signing.publicKey };
  bindAccount(env, { accountId: identity.accountId });
  const owner = await testDevice(env, 'Olga', 'owner');
  const newKeys = await createDeviceKeys(env);
  const first = await createFirstDeviceList(identity, { devices: [owner.entry] }, env);
  const list = await verifySignedDeviceList(first, account.accountKey);
  const keyring = await createArchiveKeyring(env, identity, list);
  const profile = { agentId: owner.entry.agentId, agentName: 'Olga', kind: 'pwa', role: 'owner' } as const;
  const e1 = await startExistingDeviceLink(env, account, owner.keys, owner.entry.agentId); // QR on the owner device
  const n1 = await startNewDeviceLink(env, e1.payload, newKeys, 'pwa'); // scanned by the new device
  return { env, identity, account, owner, newKeys, list, keyring, profile, e1, n1 };
}
