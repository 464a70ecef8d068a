/**
 * Recovery with the password and the recovery key when no device of the owner is left (PROTOCOL
 * §11.2, §11.4; issue #13 item 2): OPAQUE login (§17), the sealed AIK backup fetched and opened with
 * the recovery key, the directory chain verified from the key the backup opens to, new device keys,
 * and the next list signed by the AIK that adds this device as an owner device sponsoring itself
 * (§4.2). By default the recovered owner's other devices — the lost ones — leave the list in the
 * same step and the relay forgets their keys (§11.4); `keepOldDevices` keeps them. Everything is
 * saved before it is published; a wrong key or password changes nothing anywhere.
 */
import { toHex } from '../crypto/index.js';
import {
  type DeviceEntry,
  createDeviceKeys,
  createDirectoryViewForKey,
  createNextDeviceList,
  deviceEntryOf,
  encodeSignedDeviceList,
  parseRecoveryKey,
} from '../protocol/index.js';
import { NotFoundError, type OpaqueClient, type RelayAuth } from '../transport/index.js';
import { saveJoinedDevice } from './agent-account-record.js';
import type { Enrolled } from './agent-device-session.js';
import { openBackupUpload } from './agent-recovery-backup.js';
import type { AgentDeviceKind } from './api-agent.js';
import type { ProgressListener } from './api-common.js';
import { refreshDirectory, takeLists } from './directory-sync.js';
import { type RuntimePlatform, platformFor } from './platform.js';
import { NotStartedError } from './runtime-errors.js';
import type { RuntimeStore } from './runtime-shapes.js';

/** Progress steps of recovery (the last one is the caller's: prekeys and online). */
export const RECOVERY_STEPS = 5;

export interface RecoveryInput {
  readonly relayUrl: string;
  readonly username: string;
  readonly password: string;
  /** As shown at account creation; case, spaces and hyphens do not matter (§11.1). */
  readonly recoveryKey: string;
  readonly deviceKind: AgentDeviceKind;
  /** Keep the recovered owner's old devices in the list (default: they are removed, §11.4). */
  readonly keepOldDevices?: boolean;
}

export interface Recovered {
  readonly enrolled: Enrolled;
  /** This device's entry, and the lost devices removed from the list. */
  readonly added: DeviceEntry;
  readonly removed: readonly DeviceEntry[];
}

/** Steps 0..4 of RECOVERY_STEPS. */
export async function recoverOwnerDevice(
  ports: RuntimePlatform & { readonly opaque: OpaqueClient },
  store: RuntimeStore,
  input: RecoveryInput,
  onProgress?: ProgressListener,
): Promise<Recovered> {
  const p = platformFor(input.relayUrl, ports);
  const env = p.env;
  // A typing mistake is a DecodeError before anything is sent.
  const recoveryKey = await parseRecoveryKey(input.recoveryKey);
  onProgress?.(0, RECOVERY_STEPS);
  const login = await p.http.auth.login(input.username, input.password, ports.opaque);
  const accountId = login.accountId;
  const auth: RelayAuth = { bearer: login.sessionToken };
  onProgress?.(1, RECOVERY_STEPS);
  let identity;
  try {
    identity = await openBackupUpload(recoveryKey, accountId, await p.http.recovery.getIdentityBackup(accountId, auth));
  } catch (error) {
    if (error instanceof NotFoundError)
      throw new NotStartedError(
        'this account has no key backup at the service: it cannot be recovered with a recovery key',
        {
          cause: error,
        },
      );
    throw error;
  } finally {
    recoveryKey.fill(0);
  }
  onProgress?.(2, RECOVERY_STEPS);
  // The chain from the restored key (§4.4): lists the relay made up do not verify under it.
  const fetched = await refreshDirectory(
    p.http,
    accountId,
    await createDirectoryViewForKey(identity.signing.publicKey),
    env,
  );
  if (fetched.rejected !== undefined) throw fetched.rejected;
  const current = fetched.view.current;
  const latest = fetched.view.history.at(-1);
  if (current === undefined || latest === undefined)
    throw new NotStartedError('the account has no device list to recover');
  // §4.2: every list has an owner device; the recovered device joins the first owner's agent.
  const owner = current.devices.find((d) => d.role === 'owner');
  if (owner === undefined) throw new NotStartedError('the account list names no owner');
  const ownerAgent = toHex(owner.agentId);
  const keys = await createDeviceKeys(env);
  const profile = {
    agentId: owner.agentId,
    agentName: owner.agentName,
    kind: input.deviceKind,
    role: 'owner',
  } as const;
  const added = await deviceEntryOf(keys, profile, accountId);
  const removed = input.keepOldDevices === true ? [] : current.devices.filter((d) => toHex(d.agentId) === ownerAgent);
  const devices = [...current.devices.filter((d) => !removed.includes(d)), added];
  const signed = await createNextDeviceList(identity, latest.signed, { devices }, env);
  const next = await takeLists(fetched.view, [signed], env);
  if (next.rejected !== undefined) throw next.rejected;
  const view = next.view;
  const { account, prekeys } = await saveJoinedDevice(
    store,
    { relayUrl: input.relayUrl, accountId, identity, profile, keys, view },
    env,
  );
  onProgress?.(3, RECOVERY_STEPS);
  await p.http.directory.enrolDevice(accountId, keys.deviceId, keys.signing.publicKey, auth);
  await p.http.directory.putDeviceList(accountId, view.current?.version ?? 0, encodeSignedDeviceList(signed), auth);
  // After the list: the relay forgets the lost devices' keys, sessions and queues (§16.7).
  for (const lost of removed) {
    try {
      await p.http.directory.removeDevice(accountId, lost.deviceId, auth);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
  }
  onProgress?.(4, RECOVERY_STEPS);
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
  return { enrolled, added, removed };
}
