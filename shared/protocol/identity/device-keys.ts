/**
 * Per-device keys (docs/PROTOCOL.md §3.2; security brief F10: no key is shared between devices).
 * Each agent device has
 * - a device id (16 random bytes, F20),
 * - an Ed25519 signing key (RFC 8032) that signs its prekeys and its first replies (F3),
 * - an X25519 identity DH key (RFC 7748; X3DH §2.4 "IK") used in first contact.
 * Both private keys are made from seeds drawn from `env.rng` (reproducible runs) and imported as
 * non-extractable CryptoKeys; the seeds are wiped at once. A device's public half is the
 * `DeviceEntry` the AIK signs into the device list (directory/device-list.ts).
 */
import {
  concatBytes,
  ed25519Sign,
  ed25519Verify,
  wipe,
  type Ed25519KeyPair,
  ed25519KeyPairFromSeed,
  ed25519Seed,
  X25519_KEY_BYTES,
  type X25519KeyPair,
  x25519KeyPairFromSeed,
  utf8Encode,
} from '../../crypto/index.js';
import { UsageError } from '../../errors/index.js';
import { ID_BYTES, type AccountId, type DeviceId, asDeviceId } from '../../wire/index.js';
import { IDENTITY_LABELS, labelled } from './identity-labels.js';
import { validateDisplayName } from './display-name.js';
import type { ProtocolEnv, DeviceEntry, DeviceKind, Role } from '../core/index.js';

export const DEVICE_KEYS_STATE_VERSION = 1;

export interface DeviceKeys {
  readonly version: typeof DEVICE_KEYS_STATE_VERSION;
  readonly deviceId: DeviceId;
  readonly signing: Ed25519KeyPair;
  readonly identityDh: X25519KeyPair;
}

export async function createDeviceKeys(env: ProtocolEnv): Promise<DeviceKeys> {
  const deviceId = asDeviceId(env.rng(ID_BYTES));
  const signingSeed = ed25519Seed(env.rng);
  const dhSeed = env.rng(X25519_KEY_BYTES);
  try {
    const signing = await ed25519KeyPairFromSeed(signingSeed);
    const identityDh = await x25519KeyPairFromSeed(dhSeed);
    return { version: DEVICE_KEYS_STATE_VERSION, deviceId, signing, identityDh };
  } finally {
    wipe(signingSeed);
    wipe(dhSeed);
  }
}

export interface DeviceProfile {
  /** 16 bytes naming the agent (person) the device belongs to. */
  readonly agentId: Uint8Array;
  readonly agentName: string;
  readonly kind: DeviceKind;
  readonly role: Role;
}

/** The bytes a proof of possession signs (PROTOCOL §4.2): fixed-size fields, concatenated. */
function possessionStatement(
  accountId: AccountId,
  entry: Pick<DeviceEntry, 'deviceId' | 'signingKey' | 'dhIdentityKey' | 'agentId' | 'kind'>,
): Uint8Array {
  // The kind last, as its UTF-8 name ("extension" | "pwa"): the only variable-length field.
  return labelled(
    IDENTITY_LABELS.devicePop,
    concatBytes(
      accountId,
      entry.deviceId,
      entry.signingKey,
      entry.dhIdentityKey,
      entry.agentId,
      utf8Encode(entry.kind),
    ),
  );
}

/**
 * This device's proof of possession for an entry of `accountId` under `agentId` (PROTOCOL §4.2,
 * issue #17 item 2). A linked device makes it once it knows its agent (after the grant, §10.5).
 */
export async function proveDevicePossession(
  keys: Pick<DeviceKeys, 'deviceId' | 'signing'> & { readonly identityDh: { readonly publicKey: Uint8Array } },
  accountId: AccountId,
  agentId: Uint8Array,
  kind: DeviceKind,
): Promise<Uint8Array> {
  if (agentId.length !== ID_BYTES) throw new UsageError(`agent id must be ${ID_BYTES} bytes, got ${agentId.length}`);
  const entry = {
    deviceId: keys.deviceId,
    signingKey: keys.signing.publicKey,
    dhIdentityKey: keys.identityDh.publicKey,
    agentId,
    kind,
  };
  return ed25519Sign(keys.signing.privateKey, possessionStatement(accountId, entry));
}

/** Whether `entry.proofOfPossession` verifies under the entry's own signing key for `accountId`. */
export async function verifyProofOfPossession(
  accountId: AccountId,
  entry: Pick<DeviceEntry, 'deviceId' | 'signingKey' | 'dhIdentityKey' | 'agentId' | 'kind' | 'proofOfPossession'>,
): Promise<boolean> {
  return ed25519Verify(entry.signingKey, possessionStatement(accountId, entry), entry.proofOfPossession);
}

/**
 * The public entry of this device for a device list of `accountId`, with its proof of possession;
 * `sponsorId` is the device whose request adds it (itself for the account's first owner device).
 * InvalidDisplayNameError for a spoofing name, UsageError for a bad agent id.
 */
export async function deviceEntryOf(
  keys: DeviceKeys,
  profile: DeviceProfile,
  accountId: AccountId,
  sponsorId: DeviceId = keys.deviceId,
): Promise<DeviceEntry> {
  if (profile.agentId.length !== ID_BYTES)
    throw new UsageError(`agent id must be ${ID_BYTES} bytes, got ${profile.agentId.length}`);
  return {
    deviceId: keys.deviceId,
    agentId: new Uint8Array(profile.agentId),
    agentName: validateDisplayName(profile.agentName),
    kind: profile.kind,
    role: profile.role,
    signingKey: new Uint8Array(keys.signing.publicKey),
    dhIdentityKey: new Uint8Array(keys.identityDh.publicKey),
    sponsorId: asDeviceId(new Uint8Array(sponsorId)),
    proofOfPossession: await proveDevicePossession(keys, accountId, profile.agentId, profile.kind),
  };
}

/** A new random agent id (16 bytes). */
export function newAgentId(env: ProtocolEnv): Uint8Array {
  return env.rng(ID_BYTES);
}
