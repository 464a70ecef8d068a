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
  const account: AgentAccountRecord = {
    version: AGENT_ACCOUNT_RECORD_VERSION,
    relayUrl,
    accountId,
    ...(identity === undefined ? {} : { identity }),
    profile,
    published: { bundleSignedPrekeyId: 0, uploadedThrough: 0 },
  };
  const prekeys = await createPrekeyState(keys, env);
  await store.commit({ account, deviceKeys: keys, prekeys, directories: [{ accountId, view }] });
  return { account, prekeys };
}
