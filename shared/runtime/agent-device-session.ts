/**
 * A set-up agent device (account record, device keys, prekeys, directory view, connection) and
 * what every part of the agent runtime does with it: log in with the device key (PROTOCOL §16.5)
 * and publish a device list this device signed (saved first, then sent).
 */
import type { DeviceKeys, DirectoryView, PrekeyState, SignedDeviceList } from '../protocol/index.js';
import { type RelayAuth, type RelayConnection, ed25519Signer, type DeviceCredentials } from '../transport/index.js';
import { encodeSignedDeviceList } from '../protocol/index.js';
import type { AgentAccountRecord } from './agent-account-record.js';
import { publishSavedLists } from './agent-list-publishing.js';
import { savedView, takeLists } from './directory-sync.js';
import type { Platform } from './platform.js';
import type { RuntimeStore } from './runtime-shapes.js';

export interface Enrolled {
  readonly p: Platform;
  account: AgentAccountRecord;
  readonly keys: DeviceKeys;
  prekeys: PrekeyState;
  view: DirectoryView;
  connection: RelayConnection | undefined;
  session: { token: string; expiresAt: number } | undefined;
  cancelMaintenance: (() => void) | undefined;
}

/** The device's credentials for a session or its WebSocket hello. */
export function deviceCredentials(e: Enrolled): DeviceCredentials {
  return {
    accountId: e.account.accountId,
    deviceId: e.keys.deviceId,
    sign: ed25519Signer(e.keys.signing.privateKey),
  };
}

/** A device session (PROTOCOL §16.5): the device key logs in, no password needed; renewed a minute before it ends. */
export async function deviceAuth(e: Enrolled): Promise<RelayAuth> {
  const now = e.p.timers.now();
  if (e.session === undefined || e.session.expiresAt - now < 60_000) {
    const s = await e.p.http.auth.deviceSession(deviceCredentials(e));
    e.session = { token: s.sessionToken, expiresAt: s.expiresAt };
  }
  return { bearer: e.session.token };
}

/**
 * Saves a list this device signed into its view, then (after `beforePublish`) publishes it. A list
 * saved earlier that never reached the relay (PROTOCOL §4.7) is published first, so the chain the
 * relay serves has no gap; if that fails, nothing of the new list is saved.
 */
export async function publishOwnList(
  store: RuntimeStore,
  e: Enrolled,
  signed: SignedDeviceList,
  beforePublish?: (auth: RelayAuth) => Promise<void>,
): Promise<void> {
  await publishSavedLists(e, { forgetRemoved: false, auth: () => deviceAuth(e) });
  const taken = await takeLists(e.view, [signed], e.p.env);
  if (taken.rejected !== undefined) throw taken.rejected;
  await store.commit({ directories: [savedView(e.account.accountId, taken.view)] });
  e.view = taken.view;
  const auth = await deviceAuth(e);
  await beforePublish?.(auth);
  const version = taken.view.current?.version ?? 0;
  await e.p.http.directory.putDeviceList(e.account.accountId, version, encodeSignedDeviceList(signed), auth);
}
