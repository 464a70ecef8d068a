/**
 * Byte layout of the signed device list (docs/PROTOCOL.md §4.1), in the wire codec of §2.
 *
 *   DeviceListBody = version u8 (=1) || suite u8 (=1) || accountId [16] || listVersion u32
 *                    || previousHash [32] || accountKey [32] || recoveryKey optional([32])
 *                    || issuedAt u64 || notAfter u64 || supportedVersions list(u8, 8)
 *                    || devices list(DeviceEntry, LIMITS.maxDevicesPerList)
 *   DeviceEntry    = deviceId [16] || agentId [16] || agentName utf8(LIMITS.maxDisplayNameBytes)
 *                    || kind u8 || role u8 || signingKey [32] || dhIdentityKey [32]
 *   SignedDeviceList = version u8 || suite u8 || body varBytes(MAX_DEVICE_LIST_BODY_BYTES)
 *                    || signature [64]
 *
 * Strict parsing (security brief §3 "Framing"): unknown version/suite, unknown kind or role tags,
 * wrong key lengths, lists past the cap and trailing bytes are all DecodeErrors. Semantic checks
 * (duplicates, display names, chain rules) are in device-list.ts.
 */
import { ED25519_PUBLIC_KEY_BYTES, ED25519_SIGNATURE_BYTES, X25519_KEY_BYTES } from '../../crypto/index.js';
import {
  type Codec,
  decode,
  encode,
  fixedBytes,
  list,
  optional,
  struct,
  u32,
  u64,
  u8,
  utf8String,
  varBytes,
  ID_BYTES,
  accountIdCodec,
  deviceIdCodec,
  type AccountId,
  LIMITS,
} from '../../wire/index.js';
import {
  DEVICE_KINDS,
  type DeviceEntry,
  type DeviceKind,
  type DeviceList,
  ROLES,
  type Role,
  type SignedDeviceList,
  versioned,
} from '../core/index.js';

export const HASH_BYTES = 32;
/** Most wire versions one list may name as supported (PROTOCOL §4.1, §15). */
export const MAX_SUPPORTED_VERSIONS = 8;

/** Wire tags of device kinds and roles (PROTOCOL §4.1). */
export const DEVICE_KIND_TAGS: Readonly<Record<DeviceKind, number>> = {
  [DEVICE_KINDS.extension]: 1,
  [DEVICE_KINDS.pwa]: 2,
};
export const ROLE_TAGS: Readonly<Record<Role, number>> = { [ROLES.owner]: 1, [ROLES.admin]: 2, [ROLES.agent]: 3 };

/** Upper bound of one encoded entry, and of a body with LIMITS.maxDevicesPerList entries. */
const MAX_ENTRY_BYTES =
  3 * ID_BYTES +
  4 +
  LIMITS.maxDisplayNameBytes +
  2 +
  ED25519_PUBLIC_KEY_BYTES +
  X25519_KEY_BYTES +
  ED25519_SIGNATURE_BYTES;
export const MAX_DEVICE_LIST_BODY_BYTES = 256 + LIMITS.maxDevicesPerList * MAX_ENTRY_BYTES;

/** A u8 tag on the wire, a name in memory; unknown tags are a DecodeError. */
function namedTag<N extends string>(tags: Readonly<Record<N, number>>, what: string): Codec<N> {
  const byTag = new Map<number, N>();
  for (const name of Object.keys(tags) as N[]) byTag.set(tags[name], name);
  return {
    write: (w, name) => {
      const tag = (tags as Partial<Record<string, number>>)[name];
      if (tag === undefined) throw w.fail(`unknown ${what} "${name}"`);
      w.u8(tag);
    },
    read: (r) => {
      const tag = r.u8();
      const name = byTag.get(tag);
      if (name === undefined) throw r.fail(`unknown ${what} tag ${tag}`);
      return name;
    },
  };
}

export const deviceKindCodec: Codec<DeviceKind> = namedTag(DEVICE_KIND_TAGS, 'device kind');
export const roleCodec: Codec<Role> = namedTag(ROLE_TAGS, 'role');

export const deviceEntryCodec: Codec<DeviceEntry> = struct<DeviceEntry>({
  deviceId: deviceIdCodec,
  agentId: fixedBytes(ID_BYTES),
  agentName: utf8String(LIMITS.maxDisplayNameBytes),
  kind: deviceKindCodec,
  role: roleCodec,
  signingKey: fixedBytes(ED25519_PUBLIC_KEY_BYTES),
  dhIdentityKey: fixedBytes(X25519_KEY_BYTES),
  sponsorId: deviceIdCodec,
  proofOfPossession: fixedBytes(ED25519_SIGNATURE_BYTES),
});

interface DeviceListFields {
  readonly accountId: AccountId;
  readonly version: number;
  readonly previousHash: Uint8Array;
  readonly accountKey: Uint8Array;
  readonly recoveryKey: Uint8Array | undefined;
  readonly issuedAt: number;
  readonly notAfter: number;
  readonly supportedVersions: readonly number[];
  readonly devices: readonly DeviceEntry[];
}

const deviceListFieldsCodec = versioned(
  struct<DeviceListFields>({
    accountId: accountIdCodec,
    version: u32,
    previousHash: fixedBytes(HASH_BYTES),
    accountKey: fixedBytes(ED25519_PUBLIC_KEY_BYTES),
    recoveryKey: optional(fixedBytes(ED25519_PUBLIC_KEY_BYTES)),
    issuedAt: u64,
    notAfter: u64,
    supportedVersions: list(u8, MAX_SUPPORTED_VERSIONS),
    devices: list(deviceEntryCodec, LIMITS.maxDevicesPerList),
  }),
);

/** The device list body codec; `recoveryKey` is absent from the value when not on the wire. */
export const deviceListCodec: Codec<DeviceList> = {
  write: (w, value) => {
    deviceListFieldsCodec.write(w, { ...value, recoveryKey: value.recoveryKey });
  },
  read: (r) => {
    const { recoveryKey, ...rest } = deviceListFieldsCodec.read(r);
    return recoveryKey === undefined ? rest : { ...rest, recoveryKey };
  },
};

export const signedDeviceListCodec: Codec<SignedDeviceList> = versioned(
  struct<SignedDeviceList>({
    body: varBytes(MAX_DEVICE_LIST_BODY_BYTES),
    signature: fixedBytes(ED25519_SIGNATURE_BYTES),
  }),
);

/** Largest encoding of `signedDeviceListCodec`: version, suite, the body's u32 length and cap, the signature. */
export const MAX_SIGNED_DEVICE_LIST_BYTES = 2 + 4 + MAX_DEVICE_LIST_BODY_BYTES + ED25519_SIGNATURE_BYTES;

export function encodeDeviceListBody(list: DeviceList): Uint8Array {
  return encode(deviceListCodec, list);
}

/** Strict decode of a body (DecodeError on any malformed byte); semantic checks are separate. */
export function decodeDeviceListBody(bytes: Uint8Array): DeviceList {
  return decode(deviceListCodec, bytes, 'deviceList');
}

export function encodeSignedDeviceList(signed: SignedDeviceList): Uint8Array {
  return encode(signedDeviceListCodec, signed);
}

export function decodeSignedDeviceList(bytes: Uint8Array): SignedDeviceList {
  return decode(signedDeviceListCodec, bytes, 'signedDeviceList');
}
