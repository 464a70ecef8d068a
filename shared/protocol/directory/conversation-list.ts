/**
 * The device list a conversation fans out to, taken from a participant's directory view
 * (docs/PROTOCOL.md §4.4, §7.4): the newest accepted list, its chain hash, the account it belongs
 * to and the earlier links of the chain this view verified.
 */
import {
  ALERT_KINDS,
  type ConversationDeviceList,
  ExpiredDeviceListError,
  type ProtocolEnv,
  ProtocolStateError,
  type SignedDeviceList,
  SUSPECTS,
} from '../core/index.js';
import { deviceListHash, verifySignedDeviceList } from './device-list.js';
import { DIRECTORY_HISTORY, type DirectoryView } from './directory-view-state.js';

export function conversationListOf(view: DirectoryView): ConversationDeviceList {
  const newest = view.links.at(-1);
  if (view.current === undefined || newest?.version !== view.current.version) {
    throw new ProtocolStateError('the directory view has no accepted device list yet');
  }
  return {
    accountId: view.current.accountId,
    accountKey: view.current.accountKey,
    version: view.current.version,
    hash: newest.hash,
    devices: view.current.devices,
    earlier: view.links.slice(-DIRECTORY_HISTORY, -1).map((l) => ({ version: l.version, hash: l.hash })),
  };
}

/**
 * The list a visitor starts a conversation on (PROTOCOL §4.4, issue #17 item 4): as
 * conversationListOf, but an expired newest list (now > notAfter) is an ExpiredDeviceListError
 * carrying the `list-expired` alert: the directory withholds the owner's newer lists (suspect: the
 * relay) or the owner did not re-sign in time (suspect: the account key holder). Fetch, then retry.
 */
export function visitorListOf(view: DirectoryView, env: ProtocolEnv): ConversationDeviceList {
  const list = conversationListOf(view);
  const current = view.current;
  if (current !== undefined && env.now() > current.notAfter) {
    const detail = `device list version ${current.version} expired at ${new Date(current.notAfter).toISOString()}`;
    throw new ExpiredDeviceListError(`${detail}: fetch a newer list before starting a conversation`, {
      kind: ALERT_KINDS.listExpired,
      detail,
      suspects: [SUSPECTS.relay, SUSPECTS.accountKey],
    });
  }
  return list;
}

/**
 * The conversation list of one signed list, verified against the account key the caller trusts
 * (for a device that has just signed or been given the list, without a directory view).
 */
export async function conversationListOfSigned(
  signed: SignedDeviceList,
  trustedAccountKey: Uint8Array,
): Promise<ConversationDeviceList> {
  const list = await verifySignedDeviceList(signed, trustedAccountKey);
  return {
    accountId: list.accountId,
    accountKey: list.accountKey,
    version: list.version,
    hash: await deviceListHash(signed.body),
    devices: list.devices,
    earlier: [],
  };
}
