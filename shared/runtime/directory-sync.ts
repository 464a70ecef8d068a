/**
 * Fetching an account's signed device-list chain from the (untrusted) relay into a directory
 * view (PROTOCOL §4.3–§4.4): every list is verified by shared/protocol, link by link; nothing
 * is trusted because the relay served it.
 */
import {
  type DirectoryView,
  type ProtocolEnv,
  type SecurityAlert,
  type SignedDeviceList,
  decodeSignedDeviceList,
  receiveDeviceList,
} from '../protocol/index.js';
import type { RelayHttp } from '../transport/index.js';
import type { AccountId, SealdeskError } from '../wire/index.js';

export interface TakenLists {
  readonly view: DirectoryView;
  /** A newer list was accepted. */
  readonly accepted: boolean;
  readonly alerts: readonly SecurityAlert[];
  /** The first rejection (pin mismatch, rollback, equivocation, bad signature), if any. */
  readonly rejected: SealdeskError | undefined;
}

/** Feeds signed lists to a view, oldest first. */
export async function takeLists(
  view: DirectoryView,
  lists: readonly SignedDeviceList[],
  env: ProtocolEnv,
): Promise<TakenLists> {
  let current = view;
  let accepted = false;
  let rejected: SealdeskError | undefined;
  const alerts: SecurityAlert[] = [];
  for (const list of lists) {
    const update = await receiveDeviceList(current, list, env);
    current = update.state;
    alerts.push(...update.alerts);
    if (update.outcome === 'accepted') accepted = true;
    rejected ??= update.rejected;
  }
  return { view: current, accepted, alerts, rejected };
}

/** Fetches the lists newer than the view's (up to `upTo` when given) and feeds them to it. */
export async function refreshDirectory(
  http: RelayHttp,
  accountId: AccountId,
  view: DirectoryView,
  env: ProtocolEnv,
): Promise<TakenLists> {
  const have = view.current?.version ?? 0;
  const blobs = await http.directory.deviceListsAfter(accountId, have);
  const lists: SignedDeviceList[] = [];
  for (const blob of blobs) lists.push(decodeSignedDeviceList(blob.blob));
  return takeLists(view, lists, env);
}
