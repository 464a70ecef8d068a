/**
 * The signed, versioned, hash-chained device list (docs/PROTOCOL.md §4; security brief §3 "Key
 * directory", F10). The account identity key (AIK) signs each version; version n+1 carries
 * SHA-256 of version n's body, so a history is one chain and a second list with one version is
 * provable equivocation (directory-view.ts keeps the evidence).
 *
 * Signature input: "sealdesk/v2/device-list" || 0x00 || body (Ed25519, RFC 8032 §5.1.6).
 * Chain hash: SHA-256("sealdesk/v2/device-list-hash" || 0x00 || body).
 */
import { constantTimeEqual, ed25519Sign, ed25519Verify, sha256 } from '../../crypto/index.js';
import { DecodeError, LimitError, SignatureError, UsageError } from '../../errors/index.js';
import { idEquals, idToHex, LIMITS, WIRE_VERSION } from '../../wire/index.js';
import {
  type AccountIdentity,
  validateDisplayName,
  IDENTITY_LABELS,
  labelled,
  accountKeyMatchesPin,
  verifyProofOfPossession,
} from '../identity/index.js';
import { HASH_BYTES, decodeDeviceListBody, encodeDeviceListBody } from './device-list-codec.js';
import {
  type ProtocolEnv,
  type DeviceEntry,
  type DeviceList,
  type SignedDeviceList,
  PinMismatchError,
  RecoveryKeyChangeError,
} from '../core/index.js';
import { type SignedRotation, decodeRotationStatement } from './rotation-codec.js';

const ZERO_HASH = new Uint8Array(HASH_BYTES);
/** PROTOCOL §4.2: list versions are u32 and start at 1. */
export const MAX_DEVICE_LIST_VERSION = 0xffff_ffff;
const DAY_MS = 24 * 3600_000;
/** PROTOCOL §4.2 (issue #17 item 4): a list is valid for 30 days unless its owner says less. */
export const DEVICE_LIST_LIFETIME_MS = 30 * DAY_MS;
/** The longest lifetime a list may carry. */
export const MAX_DEVICE_LIST_LIFETIME_MS = 90 * DAY_MS;
/** The owner re-signs a list this long before it expires (`listNeedsResigning`). */
export const DEVICE_LIST_RESIGN_MARGIN_MS = 7 * DAY_MS;

/** Whether the owner should sign the next version now: the list expires within the margin. */
export function listNeedsResigning(list: DeviceList, now: number, margin = DEVICE_LIST_RESIGN_MARGIN_MS): boolean {
  return now >= list.notAfter - margin;
}

/** PROTOCOL §4.2, §15: the lifetime and the supported wire versions of a list. DecodeError when broken. */
function validateLifetimeAndVersions(list: DeviceList): void {
  if (!(list.notAfter > list.issuedAt) || list.notAfter - list.issuedAt > MAX_DEVICE_LIST_LIFETIME_MS) {
    throw new DecodeError(
      `device list version ${list.version}: notAfter must be after issuedAt and at most ${MAX_DEVICE_LIST_LIFETIME_MS / DAY_MS} days later`,
    );
  }
  const versions = list.supportedVersions;
  if (versions.some((v, i) => v < 1 || (i > 0 && v <= (versions[i - 1] ?? 0)))) {
    throw new DecodeError(
      `device list version ${list.version}: supported versions must be ascending, distinct and ≥ 1`,
    );
  }
  // §15 rule 4: a list that does not name the version this build speaks is refused (no silent downgrade).
  if (!versions.includes(WIRE_VERSION)) {
    throw new DecodeError(
      `device list version ${list.version} does not name wire version ${WIRE_VERSION} as supported`,
    );
  }
}

function hexKey(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

/**
 * Semantic rules of one list (PROTOCOL §4.2), beyond the byte layout: version ≥ 1, version 1 has
 * an all-zero previous hash and later versions do not, at most LIMITS.maxDevicesPerList devices,
 * no duplicate device id / signing key / DH key, safe display names, one role and name per agent,
 * at least one owner.
 * Errors: LimitError (cap), DecodeError (rules), InvalidDisplayNameError (names).
 */
export function validateDeviceList(list: DeviceList): DeviceList {
  if (!Number.isInteger(list.version) || list.version < 1 || list.version > MAX_DEVICE_LIST_VERSION) {
    throw new DecodeError(`device list version must be 1..${MAX_DEVICE_LIST_VERSION}, got ${list.version}`);
  }
  const zeroPrevious = constantTimeEqual(list.previousHash, ZERO_HASH);
  if (list.version === 1 && !zeroPrevious)
    throw new DecodeError('device list version 1 must have an all-zero previous hash');
  if (list.version > 1 && zeroPrevious)
    throw new DecodeError(`device list version ${list.version} has no previous hash`);
  // Security brief §4: device lists past a cap are rejected.
  if (list.devices.length > LIMITS.maxDevicesPerList) {
    throw new LimitError(`device list has ${list.devices.length} devices, the cap is ${LIMITS.maxDevicesPerList}`);
  }
  const ids = new Set<string>();
  const keys = new Set<string>();
  const agents = new Map<string, DeviceEntry>();
  let owners = 0;
  list.devices.forEach((device, index) => {
    // Security brief §4: duplicate ids are rejected, and so is one key listed for two devices.
    const id = idToHex(device.deviceId);
    if (ids.has(id)) throw new DecodeError(`device list entry ${index} repeats device id ${id}`);
    ids.add(id);
    for (const key of [device.signingKey, device.dhIdentityKey]) {
      const k = hexKey(key);
      if (keys.has(k))
        throw new DecodeError(`device list entry ${index} (device ${id}) reuses a public key of another entry`);
      keys.add(k);
    }
    validateDisplayName(device.agentName);
    // PROTOCOL §4.2: an agent has one role and one name across all of their devices.
    const agent = hexKey(device.agentId);
    const first = agents.get(agent);
    if (first === undefined) agents.set(agent, device);
    else if (first.role !== device.role || first.agentName !== device.agentName) {
      throw new DecodeError(
        `device list entry ${index} (device ${id}) disagrees with another device of its agent on role or name`,
      );
    }
    if (device.role === 'owner') owners++;
  });
  if (owners === 0) throw new DecodeError('a device list must keep at least one owner device');
  validateLifetimeAndVersions(list);
  // PROTOCOL §4.2 (issue #17 item 2): in the first list every sponsor is a device of that list.
  if (list.version === 1) {
    for (const device of list.devices) {
      if (!ids.has(idToHex(device.sponsorId))) {
        throw new DecodeError(
          `device ${idToHex(device.deviceId)} of device list version 1 names a sponsor not in the list`,
        );
      }
    }
  }
  return list;
}

/**
 * PROTOCOL §4.2 (issue #17 item 2): every entry's proof of possession verifies under its own
 * signing key for the list's account. SignatureError naming the device otherwise.
 */
export async function verifyDeviceEntries(list: DeviceList): Promise<void> {
  for (const device of list.devices) {
    if (!(await verifyProofOfPossession(list.accountId, device))) {
      throw new SignatureError(
        `device ${idToHex(device.deviceId)} of device list version ${list.version}: the proof of possession does not verify`,
      );
    }
  }
}

/**
 * PROTOCOL §4.2 (issue #17 item 2), between a list and its predecessor: a device new in `next` is
 * sponsored by a device of `previous`, or by itself when it is an owner device the AIK holder added
 * directly (e.g. after a recovery, with no device left); a device carried over keeps its sponsor.
 * DecodeError otherwise.
 */
export function checkSponsors(previous: DeviceList, next: DeviceList): void {
  for (const device of next.devices) {
    const before = findDevice(previous, device.deviceId);
    const selfOwner = device.role === 'owner' && idEquals(device.sponsorId, device.deviceId);
    const newOk = selfOwner || findDevice(previous, device.sponsorId) !== undefined;
    if (before === undefined ? !newOk : !idEquals(before.sponsorId, device.sponsorId)) {
      const why = before === undefined ? 'a sponsor not in version ' : 'another sponsor than in version ';
      throw new DecodeError(
        `device ${idToHex(device.deviceId)} of device list version ${next.version} names ${why}${previous.version}`,
      );
    }
  }
}

/** SHA-256 of a body under the chain-hash label: the `previousHash` of the next version. */
export async function deviceListHash(body: Uint8Array): Promise<Uint8Array> {
  return sha256(labelled(IDENTITY_LABELS.deviceListHash, body));
}

async function signBody(identity: AccountIdentity, list: DeviceList): Promise<SignedDeviceList> {
  validateDeviceList(list);
  await verifyDeviceEntries(list);
  const body = encodeDeviceListBody(list);
  const signature = await ed25519Sign(identity.signing.privateKey, labelled(IDENTITY_LABELS.deviceList, body));
  return { body, signature };
}

export interface FirstDeviceListInput {
  readonly devices: readonly DeviceEntry[];
  /** Ed25519 public key from `deriveRecoveryKeys` (recovery.ts); absent = no recovery rotation. */
  readonly recoveryKey?: Uint8Array;
  /** Validity from issuedAt; DEVICE_LIST_LIFETIME_MS when omitted. */
  readonly lifetimeMs?: number;
  /** Wire versions the account's devices speak; [WIRE_VERSION] when omitted. */
  readonly supportedVersions?: readonly number[];
}

/** Version 1 of an account's list, signed by its AIK. */
export async function createFirstDeviceList(
  identity: AccountIdentity,
  input: FirstDeviceListInput,
  env: ProtocolEnv,
): Promise<SignedDeviceList> {
  const list: DeviceList = {
    accountId: identity.accountId,
    version: 1,
    previousHash: new Uint8Array(ZERO_HASH),
    accountKey: new Uint8Array(identity.signing.publicKey),
    ...(input.recoveryKey === undefined ? {} : { recoveryKey: new Uint8Array(input.recoveryKey) }),
    issuedAt: env.now(),
    notAfter: env.now() + (input.lifetimeMs ?? DEVICE_LIST_LIFETIME_MS),
    supportedVersions: input.supportedVersions ?? [WIRE_VERSION],
    devices: input.devices,
  };
  return signBody(identity, list);
}

export interface NextDeviceListInput {
  readonly devices: readonly DeviceEntry[];
  /**
   * Omit to carry the previous list's recovery key over. A different one needs `recoveryRotation`
   * (PROTOCOL §4.4, issue #17 item 1): only the recovery key may change the recovery-key field.
   */
  readonly recoveryKey?: Uint8Array;
  /** The rotation, signed by the previous list's recovery key, that starts from `previous` and moved to `identity`. */
  readonly recoveryRotation?: SignedRotation;
  /** Validity from issuedAt; DEVICE_LIST_LIFETIME_MS when omitted. */
  readonly lifetimeMs?: number;
  /** Wire versions the account's devices speak; the previous list's when omitted. */
  readonly supportedVersions?: readonly number[];
}

/** RecoveryKeyChangeError unless changing the recovery key from `prior` is carried by a recovery rotation. */
async function requireRecoveryAuthority(
  previous: SignedDeviceList,
  prior: DeviceList,
  identity: AccountIdentity,
  input: NextDeviceListInput,
): Promise<void> {
  if (prior.recoveryKey === undefined || input.recoveryKey === undefined) return;
  if (constantTimeEqual(prior.recoveryKey, input.recoveryKey)) return;
  const statement =
    input.recoveryRotation === undefined ? undefined : decodeRotationStatement(input.recoveryRotation.body);
  if (
    statement?.authority !== 'recovery-key' ||
    statement.lastListVersion !== prior.version ||
    !constantTimeEqual(statement.lastListHash, await deviceListHash(previous.body)) ||
    !constantTimeEqual(statement.newAccountKey, identity.signing.publicKey)
  ) {
    throw new RecoveryKeyChangeError(
      `device list version ${prior.version + 1} would change the recovery key without a rotation signed by it from version ${prior.version}`,
    );
  }
}

/**
 * Version n+1 after `previous` (which the caller has verified): previousHash = hash of the
 * previous body, version + 1. Signed by `identity` (after a rotation, the NEW AIK).
 */
export async function createNextDeviceList(
  identity: AccountIdentity,
  previous: SignedDeviceList,
  input: NextDeviceListInput,
  env: ProtocolEnv,
): Promise<SignedDeviceList> {
  const prior = decodeDeviceListBody(previous.body);
  if (!idEquals(prior.accountId, identity.accountId))
    throw new UsageError('the previous device list belongs to another account');
  if (prior.version >= MAX_DEVICE_LIST_VERSION) throw new LimitError('the device list version counter is exhausted');
  await requireRecoveryAuthority(previous, prior, identity, input);
  const recoveryKey = input.recoveryKey ?? prior.recoveryKey;
  const next: DeviceList = {
    accountId: identity.accountId,
    version: prior.version + 1,
    previousHash: await deviceListHash(previous.body),
    accountKey: new Uint8Array(identity.signing.publicKey),
    ...(recoveryKey === undefined ? {} : { recoveryKey: new Uint8Array(recoveryKey) }),
    issuedAt: env.now(),
    notAfter: env.now() + (input.lifetimeMs ?? DEVICE_LIST_LIFETIME_MS),
    supportedVersions: input.supportedVersions ?? prior.supportedVersions,
    devices: input.devices,
  };
  checkSponsors(prior, next);
  return signBody(identity, next);
}

/**
 * Decodes and checks a signed list against the account key the caller trusts (the pinned one,
 * PROTOCOL §4.3). DecodeError / LimitError / InvalidDisplayNameError for a malformed body,
 * SignatureError when the list names another account key or the signature does not verify.
 */
export async function verifySignedDeviceList(
  signed: SignedDeviceList,
  trustedAccountKey: Uint8Array,
): Promise<DeviceList> {
  const list = validateDeviceList(decodeDeviceListBody(signed.body));
  if (!constantTimeEqual(list.accountKey, trustedAccountKey)) {
    throw new SignatureError(`device list version ${list.version} names an account key other than the trusted one`);
  }
  // RFC 8032 §5.1.7, over the labelled body (PROTOCOL §13).
  const ok = await ed25519Verify(
    trustedAccountKey,
    labelled(IDENTITY_LABELS.deviceList, signed.body),
    signed.signature,
  );
  if (!ok) throw new SignatureError(`device list version ${list.version}: the account key signature does not verify`);
  await verifyDeviceEntries(list);
  return list;
}

/**
 * One list checked against the business fingerprint pinned in the embed snippet (F1), for callers
 * without a DirectoryView: PinMismatchError when its account key does not have the pinned
 * fingerprint, otherwise as verifySignedDeviceList. `pin` is the 32-byte form (parseBusinessPin).
 */
export async function verifyDeviceListWithPin(signed: SignedDeviceList, pin: Uint8Array): Promise<DeviceList> {
  const list = validateDeviceList(decodeDeviceListBody(signed.body));
  if (!(await accountKeyMatchesPin(list.accountKey, pin))) {
    throw new PinMismatchError(
      `device list version ${list.version} is signed for an account key that does not match the pinned business fingerprint`,
    );
  }
  return verifySignedDeviceList(signed, list.accountKey);
}

/** The entry of `deviceId` in `list`, if listed. */
export function findDevice(list: DeviceList, deviceId: DeviceEntry['deviceId']): DeviceEntry | undefined {
  return list.devices.find((d) => idEquals(d.deviceId, deviceId));
}
