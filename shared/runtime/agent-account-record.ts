/** What an agent device keeps about its account (stored as the `account` record, with a version). */
import type { AccountIdentity, DeviceProfile } from '../protocol/index.js';
import type { AccountId } from '../wire/index.js';
import type { PrekeyPublication } from './agent-prekeys.js';

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
