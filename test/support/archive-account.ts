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

export class ArchiveAccount {
  private constructor(
    readonly env: ProtocolEnv,
    readonly identity: AccountIdentity,
    private readonly signed: SignedDeviceList[],
    readonly lists: DeviceList[],
  ) {}

  static async create(env: ProtocolEnv, devices: readonly DeviceEntry[]): Promise<ArchiveAccount> {
    const { identity } = await createAccountIdentity(env);
    const first = await createFirstDeviceList(identity, { devices }, env);
    const list = await verifySignedDeviceList(first, identity.signing.publicKey);
    return new ArchiveAccount(env, identity, [first], [list]);
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
