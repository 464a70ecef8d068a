/**
 * A business account with real AIK-signed device lists, for inbox archive tests (PROTOCOL §4, §9):
 * the owner's account identity, the verified lists so far, and `next` to sign version n + 1.
 */
import {
  type AccountIdentity,
  createAccountIdentity,
  createFirstDeviceList,
  createNextDeviceList,
  type DeviceEntry,
  type DeviceList,
  type ProtocolEnv,
  type SignedDeviceList,
  verifySignedDeviceList,
} from '../../shared/protocol/index.js';
import type { DeviceId } from '../../shared/wire/index.js';
import { bindAccount } from './account-binding.js';

export class ArchiveAccount {
  private constructor(
    readonly env: ProtocolEnv,
    readonly identity: AccountIdentity,
    private readonly signed: SignedDeviceList[],
    readonly lists: DeviceList[],
  ) {}

  /**
   * A new account whose identity exists before its devices: `env` is bound to it, so the entries
   * made with it afterwards carry proofs of possession for this account (PROTOCOL §4.2). Sign the
   * first list with `start`.
   */
  static async create(env: ProtocolEnv): Promise<ArchiveAccount> {
    const { identity } = await createAccountIdentity(env);
    bindAccount(env, { accountId: identity.accountId });
    return new ArchiveAccount(env, identity, [], []);
  }

  /** Entries made with the env from now on name `sponsor` as the device that asked for them (§4.2). */
  sponsorNewDevicesBy(sponsor: DeviceId): void {
    bindAccount(this.env, { accountId: this.identity.accountId, sponsorId: sponsor });
  }

  /** Signs version 1 with `devices` and returns it verified. */
  async start(devices: readonly DeviceEntry[]): Promise<DeviceList> {
    const first = await createFirstDeviceList(this.identity, { devices }, this.env);
    const list = await verifySignedDeviceList(first, this.identity.signing.publicKey);
    this.signed.push(first);
    this.lists.push(list);
    return list;
  }

  get accountId(): AccountIdentity['accountId'] {
    return this.identity.accountId;
  }

  get current(): DeviceList {
    const list = this.lists[this.lists.length - 1];
    if (list === undefined) throw new RangeError('no list');
    return list;
  }

  /** Signs version n + 1 with `devices` and returns it verified. */
  async next(devices: readonly DeviceEntry[]): Promise<DeviceList> {
    const previous = this.signed[this.signed.length - 1];
    if (previous === undefined) throw new RangeError('no list');
    const signed = await createNextDeviceList(this.identity, previous, { devices }, this.env);
    const list = await verifySignedDeviceList(signed, this.identity.signing.publicKey);
    this.signed.push(signed);
    this.lists.push(list);
    return list;
  }
}
