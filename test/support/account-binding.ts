/**
 * Which account (and sponsoring device) the device entries made with a test env belong to
 * (docs/PROTOCOL.md §4.2: every entry carries a proof of possession over its account id and a
 * sponsor). The worlds bind their envs here, so that the small helpers (`newMember`, `testDevice`,
 * `rogueDevice`) make entries that a real list of that account accepts. An unbound env makes
 * entries for the all-zero account, which only tests that sign no list may use.
 */
import type { ProtocolEnv } from '../../shared/protocol/index.js';
import { type AccountId, asAccountId, type DeviceId } from '../../shared/wire/index.js';

export interface AccountBinding {
  readonly accountId: AccountId;
  /** The device that sponsors new entries; undefined: each entry sponsors itself (a first owner). */
  readonly sponsorId?: DeviceId;
}

const bindings = new WeakMap<ProtocolEnv, AccountBinding>();
const NO_ACCOUNT: AccountBinding = { accountId: asAccountId(new Uint8Array(16)) };

export function bindAccount(env: ProtocolEnv, binding: AccountBinding): ProtocolEnv {
  bindings.set(env, binding);
  return env;
}

export function accountBinding(env: ProtocolEnv): AccountBinding {
  return bindings.get(env) ?? NO_ACCOUNT;
}
