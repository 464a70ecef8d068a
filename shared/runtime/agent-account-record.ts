/** What an agent device keeps about its account (stored as the `account` record, with a version). */
import {
  type AccountIdentity,
  type DeviceKeys,
  type DeviceProfile,
  type DirectoryView,
  type PrekeyState,
  type ProtocolEnv,
  createPrekeyState,
} from '../protocol/index.js';
import type { AccountId } from '../wire/index.js';
import type { PrekeyPublication } from './agent-prekeys.js';
import { savedView } from './directory-sync.js';
import { listedSinceOf } from './listed-since.js';
import type { RuntimeStore } from './runtime-shapes.js';

export const AGENT_ACCOUNT_RECORD_VERSION = 1;

export interface AgentAccountRecord {
  readonly version: typeof AGENT_ACCOUNT_RECORD_VERSION;
  readonly relayUrl: string;
  readonly accountId: AccountId;
  /** The account identity key, on the owner's devices (non-extractable). */
  readonly identity?: AccountIdentity;
  readonly profile: DeviceProfile;
  /** What of the prekey state the relay has (agent-prekeys.ts). */
  readonly published: PrekeyPublication;
  /**
   * L_D (PROTOCOL §7.6): the first list version naming this device, read when it joined, while its
   * fresh view still holds the list before it (later views keep only the newest lists). Absent in
   * records saved before it was kept, or when the join's view could not tell: read from the view.
   */
  readonly listedSince?: number;
}

/**
 * A device that has just joined its account (created it, was linked, or recovered it): its record
 * and its fresh prekeys are saved with its keys and directory view in one commit, before anything
 * about the device reaches the relay (shared/runtime/README.md). Nothing is published yet.
 */
export async function saveJoinedDevice(
  store: RuntimeStore,
  joined: {
    readonly relayUrl: string;
    readonly accountId: AccountId;
    readonly identity?: AccountIdentity;
    readonly profile: DeviceProfile;
    readonly keys: DeviceKeys;
    readonly view: DirectoryView;
  },
  env: ProtocolEnv,
): Promise<{ readonly account: AgentAccountRecord; readonly prekeys: PrekeyState }> {
  const { relayUrl, accountId, identity, profile, keys, view } = joined;
  const listedSince = listedSinceOf(view, keys.deviceId);
  const account: AgentAccountRecord = {
    version: AGENT_ACCOUNT_RECORD_VERSION,
    relayUrl,
    accountId,
    ...(identity === undefined ? {} : { identity }),
    profile,
    published: { bundleSignedPrekeyId: 0, uploadedThrough: 0 },
    ...(listedSince === 0 ? {} : { listedSince }),
  };
  const prekeys = await createPrekeyState(keys, env);
  await store.commit({ account, deviceKeys: keys, prekeys, directories: [savedView(accountId, view)] });
  return { account, prekeys };
}
