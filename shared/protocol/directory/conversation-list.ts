/**
 * The device list a conversation fans out to, taken from a participant's directory view
 * (docs/PROTOCOL.md §4.4, §7.4): the newest accepted list, its chain hash, the account it belongs
 * to and the earlier links of the chain this view verified.
 */
import { type ConversationDeviceList, ProtocolStateError, type SignedDeviceList } from '../core/index.js';
import { deviceListHash, verifySignedDeviceList } from './device-list.js';
import type { DirectoryView } from './directory-view-state.js';

export function conversationListOf(view: DirectoryView): ConversationDeviceList {
  const newest = view.history.at(-1);
  if (view.current === undefined || newest === undefined) {
    throw new ProtocolStateError('the directory view has no accepted device list yet');
  }
  return {
    accountId: view.current.accountId,
    accountKey: view.current.accountKey,
    version: view.current.version,
    hash: newest.hash,
    devices: view.current.devices,
    earlier: view.history.slice(0, -1).map((h) => ({ version: h.version, hash: h.hash })),
  };
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
