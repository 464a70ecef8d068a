/**
 * An in-process world of Sealdesk participants for the attack suite: one business account (AIK),
 * its agent devices with their prekeys and directory views, and visitors that start from the
 * business fingerprint pinned in the embed snippet. Every exchange goes through a HostileRelay.
 * All randomness comes from seeded rngs and all time from one manual clock, so a run is
 * reproducible byte for byte.
 */
import {
  type AccountIdentity,
  createAccountIdentity,
  createDeviceKeys,
  type DeviceKeys,
  deviceEntryOf,
  type DeviceProfile,
  newAgentId,
  createFirstDeviceList,
  createNextDeviceList,
  deviceListHash,
  decodeDeviceListBody,
  createDirectoryView,
  createDirectoryViewForKey,
  type DirectoryView,
  receiveDeviceList,
  requireAccepted,
  type ProtocolEnv,
  type DeviceEntry,
  type DeviceKind,
  type DeviceList,
  type Role,
  type SignedDeviceList,
  createPrekeyState,
  type PrekeyState,
  prekeyUpload,
  businessFingerprint,
} from '../../shared/protocol/index.js';
import { type DeviceId, idEquals } from '../../shared/wire/index.js';
import { bindAccount } from './account-binding.js';
import { HostileRelay } from './hostile-relay.js';
import { type ManualClock, manualClock, seededEnv } from './seeded-env.js';

/** One-time prekeys per device in a world (small: key generation is the slow part). */
export const WORLD_ONE_TIME_PREKEYS = 8;

export interface WorldDevice {
  readonly label: string;
  readonly keys: DeviceKeys;
  readonly entry: DeviceEntry;
  prekeys: PrekeyState;
  view: DirectoryView;
  readonly env: ProtocolEnv;
}

export interface DeviceSpec {
  readonly label: string;
  readonly agent: string;
  readonly agentName: string;
  readonly role: Role;
  readonly kind: DeviceKind;
}

/** The default cast: an owner with one extension, an agent with a laptop and a phone. */
export const DEFAULT_DEVICES: readonly DeviceSpec[] = [
  { label: 'owner', agent: 'olivia', agentName: 'Olivia', role: 'owner', kind: 'extension' },
  { label: 'ada-laptop', agent: 'ada', agentName: 'Ada', role: 'agent', kind: 'extension' },
  { label: 'ada-phone', agent: 'ada', agentName: 'Ada', role: 'agent', kind: 'pwa' },
];

export class ProtocolWorld {
  readonly clock: ManualClock;
  readonly relay = new HostileRelay();
  readonly devices = new Map<string, WorldDevice>();
  /** Revoked devices, kept so that a test can play the thief who holds one. */
  readonly revoked = new Map<string, WorldDevice>();
  /** The honest signed lists, oldest first. */
  readonly lists: SignedDeviceList[] = [];
  private readonly agentIds = new Map<string, Uint8Array>();
  private envCount = 0;
  /** The device that sponsors every entry this world makes (PROTOCOL §4.2). */
  private sponsorId: DeviceId | undefined;

  private constructor(
    readonly seed: string,
    clock: ManualClock,
    readonly account: AccountIdentity,
    /** The business fingerprint the customer pasted into the embed snippet. */
    readonly pin: string,
    private readonly ownerEnv: ProtocolEnv,
  ) {
    this.clock = clock;
  }

  static async create(seed: string, specs: readonly DeviceSpec[] = DEFAULT_DEVICES): Promise<ProtocolWorld> {
    const clock = manualClock();
    const ownerEnv = seededEnv(`${seed}/account`, clock);
    const { identity } = await createAccountIdentity(ownerEnv);
    const world = new ProtocolWorld(
      seed,
      clock,
      identity,
      await businessFingerprint(identity.signing.publicKey),
      ownerEnv,
    );
    const made: { spec: DeviceSpec; keys: DeviceKeys; entry: DeviceEntry; env: ProtocolEnv }[] = [];
    for (const spec of specs) made.push({ spec, ...(await world.makeDevice(spec)) });
    const first = await createFirstDeviceList(identity, { devices: made.map((m) => m.entry) }, ownerEnv);
    world.lists.push(first);
    world.relay.publishDeviceList(identity.accountId, first);
    for (const m of made) await world.install(m.spec.label, m.keys, m.entry, m.env);
    return world;
  }

  /** A fresh seeded env (own rng stream, the shared clock). */
  newEnv(label: string): ProtocolEnv {
    this.envCount++;
    const env = seededEnv(`${this.seed}/${label}/${this.envCount}`, this.clock);
    return bindAccount(env, {
      accountId: this.account.accountId,
      ...(this.sponsorId === undefined ? {} : { sponsorId: this.sponsorId }),
    });
  }

  device(label: string): WorldDevice {
    const d = this.devices.get(label);
    if (d === undefined) throw new RangeError(`no device ${label} in this world`);
    return d;
  }

  /** A listed or a revoked device (the latter only to act as the attacker holding it). */
  anyDevice(label: string): WorldDevice {
    return this.devices.get(label) ?? this.revoked.get(label) ?? this.device(label);
  }

  get currentSigned(): SignedDeviceList {
    const last = this.lists.at(-1);
    if (last === undefined) throw new RangeError('the world has no device list');
    return last;
  }

  get currentList(): DeviceList {
    return decodeDeviceListBody(this.currentSigned.body);
  }

  async currentHash(): Promise<Uint8Array> {
    return deviceListHash(this.currentSigned.body);
  }

  /** Adds a device (signed into the next list version by the AIK) and returns it. */
  async addDevice(spec: DeviceSpec): Promise<WorldDevice> {
    const { keys, entry, env } = await this.makeDevice(spec);
    await this.publishNext([...this.currentList.devices, entry]);
    await this.install(spec.label, keys, entry, env);
    await this.refreshViews();
    return this.device(spec.label);
  }

  /** Revokes a device: the next signed list no longer names it (F10). */
  async revokeDevice(label: string): Promise<SignedDeviceList> {
    const gone = this.device(label);
    const signed = await this.publishNext(
      this.currentList.devices.filter((d) => !idEquals(d.deviceId, gone.keys.deviceId)),
    );
    this.devices.delete(label);
    this.revoked.set(label, gone);
    await this.refreshViews();
    return signed;
  }

  /** A visitor's directory view, trusting only the snippet pin, fed by the (hostile) directory. */
  async visitorView(name: string): Promise<{ view: DirectoryView; list: DeviceList }> {
    const signed = this.relay.fetchDeviceList(this.account.accountId, name);
    if (signed === undefined) throw new RangeError('the directory served no device list');
    const update = requireAccepted(await receiveDeviceList(createDirectoryView(this.pin), signed, this.newEnv(name)));
    if (update.list === undefined) throw new RangeError('no list accepted');
    return { view: update.state, list: update.list };
  }

  /**
   * Signs a next list version with the AIK WITHOUT publishing it: only for attacks that assume a
   * misbehaving AIK holder (equivocation, split view), which the relay alone cannot mount.
   */
  async signWithAik(
    devices: readonly DeviceEntry[],
    previous: SignedDeviceList = this.currentSigned,
  ): Promise<SignedDeviceList> {
    return createNextDeviceList(this.account, previous, { devices }, this.ownerEnv);
  }

  private async publishNext(devices: readonly DeviceEntry[]): Promise<SignedDeviceList> {
    const next = await createNextDeviceList(this.account, this.currentSigned, { devices }, this.ownerEnv);
    this.lists.push(next);
    this.relay.publishDeviceList(this.account.accountId, next);
    return next;
  }

  private async refreshViews(): Promise<void> {
    for (const d of this.devices.values()) {
      const signed = this.relay.fetchDeviceList(this.account.accountId, d.label);
      if (signed !== undefined) d.view = requireAccepted(await receiveDeviceList(d.view, signed, d.env)).state;
    }
  }

  private async makeDevice(spec: DeviceSpec): Promise<{ keys: DeviceKeys; entry: DeviceEntry; env: ProtocolEnv }> {
    const env = this.newEnv(spec.label);
    const keys = await createDeviceKeys(env);
    let agentId = this.agentIds.get(spec.agent);
    if (agentId === undefined) {
      agentId = newAgentId(env);
      this.agentIds.set(spec.agent, agentId);
    }
    const profile: DeviceProfile = { agentId, agentName: spec.agentName, kind: spec.kind, role: spec.role };
    // PROTOCOL §4.2: the world's first device sponsors itself, and every later one.
    this.sponsorId ??= keys.deviceId;
    return { keys, entry: await deviceEntryOf(keys, profile, this.account.accountId, this.sponsorId), env };
  }

  private async install(label: string, keys: DeviceKeys, entry: DeviceEntry, env: ProtocolEnv): Promise<void> {
    const prekeys = await createPrekeyState(keys, env, WORLD_ONE_TIME_PREKEYS);
    this.relay.uploadPrekeys(prekeyUpload(prekeys));
    const fresh = await createDirectoryViewForKey(this.account.signing.publicKey);
    const signed = this.relay.fetchDeviceList(this.account.accountId, label);
    const view = signed === undefined ? fresh : requireAccepted(await receiveDeviceList(fresh, signed, env)).state;
    this.devices.set(label, { label, keys, entry, prekeys, view, env });
  }
}
