/**
 * Creating a business account on its first device (the owner): OPAQUE registration and login
 * (PROTOCOL §17), the account identity key, the recovery key (§11), the device keys and the first
 * signed device list (§4); everything saved before anything about this device reaches the relay,
 * then the device enrolled, the AIK backup stored (§11.2, §16.8) and the list published: an
 * account is never published without the backup that recovers it. The caller uploads the prekeys
 * and goes online.
 */
import {
  type AccountIdentity,
  accountIdentityFromSeed,
  businessFingerprint,
  createDeviceKeys,
  createDirectoryViewForKey,
  deriveRecoveryKeys,
  deviceEntryOf,
  encodeSignedDeviceList,
  formatRecoveryKey,
  generateRecoveryKey,
  newAgentId,
  type ProtocolEnv,
} from '../protocol/index.js';
import { ed25519Seed } from '../crypto/index.js';
import { InvalidKeyError } from '../errors/index.js';
import type { AccountId } from '../wire/index.js';
import type { OpaqueClient, RelayAuth } from '../transport/index.js';
import { saveJoinedDevice } from './agent-account-record.js';
import type { Enrolled } from './agent-device-session.js';
import { sealedBackupUpload } from './agent-recovery-backup.js';
import type { AccountCreated, AgentDeviceKind } from './api-agent.js';
import type { ProgressListener } from './api-common.js';
import { firstList } from './device-lists.js';
import { takeLists } from './directory-sync.js';
import { type RuntimePlatform, platformFor } from './platform.js';
import type { RuntimeStore } from './runtime-shapes.js';

/** Progress steps of account creation (the last two are the caller's: prekeys, online). */
export const LOGIN_STEPS = 6;

export interface NewAccountInput {
  readonly relayUrl: string;
  readonly businessName: string;
  readonly ownerName: string;
  readonly username: string;
  readonly password: string;
  readonly deviceKind: AgentDeviceKind;
}

/**
 * A recovery key and the keys derived from it. WebKitGTK refuses an Ed25519 secret whose first byte
 * is 0x00 (shared/crypto `ed25519Seed`), and the recovery signing secret is derived, not drawn: a
 * recovery key whose derived secret the engine refuses is drawn again (about one in 256, WebKit only).
 */
async function newRecoveryKey(
  accountId: AccountId,
  env: ProtocolEnv,
): Promise<{ readonly recoveryKey: Uint8Array; readonly recovery: Awaited<ReturnType<typeof deriveRecoveryKeys>> }> {
  for (let attempt = 1; ; attempt++) {
    const recoveryKey = generateRecoveryKey(env);
    try {
      return { recoveryKey, recovery: await deriveRecoveryKeys(recoveryKey, accountId) };
    } catch (error) {
      if (attempt >= 8 || !(error instanceof InvalidKeyError)) throw error;
    }
  }
}

/** Steps 0..4 of LOGIN_STEPS; returns the set-up device and what the person is shown once. */
export async function createOwnerAccount(
  ports: RuntimePlatform & { readonly opaque: OpaqueClient },
  store: RuntimeStore,
  input: NewAccountInput,
  onProgress?: ProgressListener,
): Promise<{ readonly enrolled: Enrolled; readonly created: AccountCreated }> {
  const p = platformFor(input.relayUrl, ports);
  const env = p.env;
  onProgress?.(0, LOGIN_STEPS);
  // OPAQUE (PROTOCOL §17): the relay assigns the account id and never sees the password.
  const accountId = await p.http.auth.register(input.username, input.password, ports.opaque);
  onProgress?.(1, LOGIN_STEPS);
  const login = await p.http.auth.login(input.username, input.password, ports.opaque);
  onProgress?.(2, LOGIN_STEPS);
  const seed = ed25519Seed(env.rng);
  const identity: AccountIdentity = await accountIdentityFromSeed(accountId, seed);
  const { recoveryKey, recovery } = await newRecoveryKey(accountId, env);
  const backup = await sealedBackupUpload(identity, seed, recoveryKey, env);
  seed.fill(0);
  const keys = await createDeviceKeys(env);
  const profile = {
    agentId: newAgentId(env),
    agentName: input.ownerName,
    kind: input.deviceKind,
    role: 'owner',
  } as const;
  const signed = await firstList(
    identity,
    await deviceEntryOf(keys, profile, accountId),
    recovery.signing.publicKey,
    env,
  );
  const view = (await takeLists(await createDirectoryViewForKey(identity.signing.publicKey), [signed], env)).view;
  const { account, prekeys } = await saveJoinedDevice(
    store,
    { relayUrl: input.relayUrl, accountId, identity, profile, keys, view },
    env,
  );
  onProgress?.(3, LOGIN_STEPS);
  const auth: RelayAuth = { bearer: login.sessionToken };
  await p.http.directory.enrolDevice(accountId, keys.deviceId, keys.signing.publicKey, auth);
  await p.http.recovery.putIdentityBackup(accountId, backup, auth);
  await p.http.directory.putDeviceList(accountId, 1, encodeSignedDeviceList(signed), auth);
  onProgress?.(4, LOGIN_STEPS);
  const enrolled: Enrolled = {
    p,
    account,
    keys,
    prekeys,
    view,
    connection: undefined,
    session: { token: login.sessionToken, expiresAt: login.expiresAt },
    cancelMaintenance: undefined,
  };
  const shown = await formatRecoveryKey(recoveryKey);
  recoveryKey.fill(0);
  const created: AccountCreated = {
    recoveryKey: shown,
    fingerprint: await businessFingerprint(identity.signing.publicKey),
  };
  return { enrolled, created };
}
