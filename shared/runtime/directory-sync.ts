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
  receiveNoDeviceList,
} from '../protocol/index.js';
import { BadResponseError, MAX_CHAIN_FETCH, type VisitorHttp } from '../transport/index.js';
import type { AccountId } from '../wire/index.js';
import { SealdeskError } from '../errors/index.js';

export interface TakenLists {
  readonly view: DirectoryView;
  /** A newer list was accepted. */
  readonly accepted: boolean;
  readonly alerts: readonly SecurityAlert[];
  /** The first rejection (pin mismatch, rollback, equivocation, bad signature), if any. */
  readonly rejected: SealdeskError | undefined;
}

/**
 * PROTOCOL §4.4: whether `next` may replace the view a device holds now. Several paths fetch lists
 * (a conversation frame naming a newer list, the archive sync, a change request), each from the
 * view it read when it began: one that finishes after another adopted a newer list must not put
 * an older list back (the device would forget a device added, or take back one removed).
 */
export function movesForward(next: DirectoryView, held: DirectoryView): boolean {
  return next !== held && (next.current?.version ?? 0) >= (held.current?.version ?? 0);
}

/**
 * A view as a store step saves it: with its newest list's version, so the store keeps a newer view
 * that another step saved first (PROTOCOL §4.4, the same rule as `movesForward`, on disk).
 */
export function savedView(
  accountId: AccountId,
  view: DirectoryView,
): { readonly accountId: AccountId; readonly view: DirectoryView; readonly listVersion: number } {
  return { accountId, view, listVersion: view.current?.version ?? 0 };
}

function noList(view: DirectoryView): TakenLists {
  const update = receiveNoDeviceList(view);
  return { view: update.state, accepted: false, alerts: update.alerts, rejected: update.rejected };
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

export interface RefreshOptions {
  /**
   * The device holds the account key: it saves a list it signed before it publishes it (§4.7), so a
   * relay one version behind its view is its own publication still under way, not a rollback.
   */
  readonly signsLists?: boolean;
}

/**
 * Fetches the lists newer than the view's and feeds them to it. A view moves one version at a time
 * (PROTOCOL §4.4, DeviceListGapError): a view that holds a list fetches EVERY later version, in
 * batches of MAX_CHAIN_FETCH, not only the newest ones the relay hands out at once. A view with
 * only the pin starts from the newest MAX_CHAIN_FETCH versions.
 * §4.4 "Refreshing": a relay whose latest list is not newer is checked too — its latest goes
 * through the view like any list, so another list of a version held is an equivocation and an
 * older one (or none at all) a rollback, refused and said, never passed over in silence.
 */
export async function refreshDirectory(
  http: VisitorHttp,
  accountId: AccountId,
  view: DirectoryView,
  env: ProtocolEnv,
  options: RefreshOptions = {},
): Promise<TakenLists> {
  const have = view.current?.version ?? 0;
  const latest = await http.directory.deviceList(accountId, 'latest');
  if (latest === undefined) return options.signsLists === true ? takeLists(view, [], env) : noList(view);
  if (latest.version < have && options.signsLists === true) return takeLists(view, [], env);
  if (latest.version <= have) {
    // Nothing newer to take: bytes that are no signed list at all are refused like a bad list,
    // the view unchanged (no alert: not even a list to show as evidence).
    let served: SignedDeviceList;
    try {
      served = decodeSignedDeviceList(latest.blob);
    } catch (error) {
      if (!(error instanceof SealdeskError)) throw error;
      return { view, accepted: false, alerts: [], rejected: error };
    }
    return takeLists(view, [served], env);
  }
  let from = have === 0 ? Math.max(1, latest.version - MAX_CHAIN_FETCH + 1) : have + 1;
  let taken: TakenLists = { view, accepted: false, alerts: [], rejected: undefined };
  while (from <= latest.version) {
    const to = Math.min(latest.version, from + MAX_CHAIN_FETCH - 1);
    const lists: SignedDeviceList[] = [];
    for (let v = from; v <= to; v++) {
      const blob = v === latest.version ? latest : await http.directory.deviceList(accountId, v);
      if (blob === undefined) throw new BadResponseError(`fetch the device list chain: version ${v} is missing`);
      lists.push(decodeSignedDeviceList(blob.blob));
    }
    const next = await takeLists(taken.view, lists, env);
    taken = {
      view: next.view,
      accepted: taken.accepted || next.accepted,
      alerts: [...taken.alerts, ...next.alerts],
      rejected: next.rejected,
    };
    if (next.rejected !== undefined) break;
    from = to + 1;
  }
  return taken;
}
