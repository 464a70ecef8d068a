/**
 * Shared setup of the identity tests: a seeded account with an owner, an admin and an agent,
 * each with one device, a recovery key and the first signed device list.
 */
import {
  type AccountIdentity,
  createAccountIdentity,
  type DeviceKeys,
  createDeviceKeys,
  deviceEntryOf,
  createFirstDeviceList,
  type ProtocolEnv,
  type DeviceEntry,
  type DeviceKind,
  type Role,
  type SignedDeviceList,
  deriveRecoveryKeys,
  generateRecoveryKey,
  type RecoveryKeys,
  businessFingerprint,
} from '../../shared/protocol/index.js';
import { accountBinding, bindAccount } from './account-binding.js';
import { type ManualClock, manualClock, seededEnv } from './seeded-env.js';

export interface Member {
  readonly keys: DeviceKeys;
  readonly entry: DeviceEntry;
}

export interface IdentityWorld {
  readonly env: ProtocolEnv;
  readonly clock: ManualClock;
  readonly identity: AccountIdentity;
  readonly seed: Uint8Array;
  readonly recoveryKey: Uint8Array;
  readonly recovery: RecoveryKeys;
  readonly owner: Member;
  readonly admin: Member;
  readonly agent: Member;
  readonly v1: SignedDeviceList;
  /** The business fingerprint, as the embed snippet pins it. */
  readonly pin: string;
}

export async function newMember(
  env: ProtocolEnv,
  name: string,
  role: Role,
  kind: DeviceKind = 'extension',
  agentId?: Uint8Array,
  agentName?: string,
): Promise<Member> {
  const keys = await createDeviceKeys(env);
  const { accountId, sponsorId } = accountBinding(env);
  const profile = { agentId: agentId ?? env.rng(16), agentName: agentName ?? name, kind, role };
  const entry = await deviceEntryOf(keys, profile, accountId, sponsorId);
  return { keys, entry };
}

export async function identityWorld(seed = 'identity'): Promise<IdentityWorld> {
  const clock = manualClock();
  const env = seededEnv(seed, clock);
  const created = await createAccountIdentity(env);
  const recoveryKey = generateRecoveryKey(env);
  const recovery = await deriveRecoveryKeys(recoveryKey, created.identity.accountId);
  bindAccount(env, { accountId: created.identity.accountId });
  const owner = await newMember(env, 'Olivia Owner', 'owner');
  bindAccount(env, { accountId: created.identity.accountId, sponsorId: owner.entry.deviceId });
  const admin = await newMember(env, 'Adam Admin', 'admin', 'pwa');
  const agent = await newMember(env, 'Ada Agent', 'agent');
  const v1 = await createFirstDeviceList(
    created.identity,
    { devices: [owner.entry, admin.entry, agent.entry], recoveryKey: recovery.signing.publicKey },
    env,
  );
  const pin = await businessFingerprint(created.identity.signing.publicKey);
  return {
    env,
    clock,
    identity: created.identity,
    seed: created.seed,
    recoveryKey,
    recovery,
    owner,
    admin,
    agent,
    v1,
    pin,
  };
}
