/** An account with an owner device, a new device to link, and the honest linking exchange up to the codes. */
import {
  createAccountIdentity,
  createArchiveKeyring,
  createDeviceKeys,
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
  const keyring = createArchiveKeyring(env, identity.accountId);
  const profile = { agentId: owner.entry.agentId, agentName: 'Olga', kind: 'pwa', role: 'owner' } as const;
  const n1 = await startNewDeviceLink(env, identity.accountId, newKeys);
  const e1 = await startExistingDeviceLink(env, n1.payload, account, owner.keys);
  return { env, identity, account, owner, newKeys, keyring, profile, n1, e1 };
}
