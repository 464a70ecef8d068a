/**
 * The data shapes every protocol module agrees on: devices, device lists, prekey bundles.
 * Their byte encodings are in directory/device-list-codec.ts / session/prekey-codec.ts and docs/PROTOCOL.md §3–§4.
 */
import type { AccountId, DeviceId } from '../../wire/index.js';

export const DEVICE_KINDS = { extension: 'extension', pwa: 'pwa' } as const;
export type DeviceKind = (typeof DEVICE_KINDS)[keyof typeof DEVICE_KINDS];

export const ROLES = { owner: 'owner', admin: 'admin', agent: 'agent' } as const;
export type Role = (typeof ROLES)[keyof typeof ROLES];

/** One authorised device, as listed (and signed) in a device list version. */
export interface DeviceEntry {
  readonly deviceId: DeviceId;
  /** 16 random bytes naming the agent (person) the device belongs to. */
  readonly agentId: Uint8Array;
  /** Display name of the agent; validated against bidi and zero-width characters. */
  readonly agentName: string;
  readonly kind: DeviceKind;
  readonly role: Role;
  /** Ed25519 public key the device signs with (32 bytes). */
  readonly signingKey: Uint8Array;
  /** X25519 identity public key used in first contact (32 bytes). */
  readonly dhIdentityKey: Uint8Array;
  /**
   * The device whose request added this one (PROTOCOL §4.5, issue #17 item 2); the first owner
   * device names itself. `devicesAddedBy` follows it for "revoke this device and all it added".
   */
  readonly sponsorId: DeviceId;
  /**
   * Ed25519 signature by `signingKey` over "sealdesk/v2/device-entry-pop" || 0x00 || accountId ||
   * deviceId || signingKey || dhIdentityKey || agentId || utf8 kind (64 bytes): the device holds its
   * key and agreed to be listed for this account and agent, as this kind (PROTOCOL §4.1, §4.2).
   */
  readonly proofOfPossession: Uint8Array;
}

/** The content of one device list version; signed by the account identity key. */
export interface DeviceList {
  readonly accountId: AccountId;
  readonly version: number;
  /** SHA-256("sealdesk/v2/device-list-hash" || 0x00 || previous list body); 32 zero bytes for version 1. */
  readonly previousHash: Uint8Array;
  /** Ed25519 public key of the account identity key (AIK) that signs this version. */
  readonly accountKey: Uint8Array;
  /**
   * Ed25519 public key derived from the account's recovery key (directory/recovery.ts, PROTOCOL §11). When
   * present, an account key rotation signed by it is accepted (loss of every owner device).
   */
  readonly recoveryKey?: Uint8Array;
  readonly issuedAt: number;
  /**
   * Milliseconds since the epoch after which the list is stale (PROTOCOL §4.2): issuedAt + 30 days
   * by default, at most issuedAt + 90 days; the owner re-signs before it.
   */
  readonly notAfter: number;
  /** Wire versions the account's devices speak, ascending (PROTOCOL §15); must include this build's version. */
  readonly supportedVersions: readonly number[];
  readonly devices: readonly DeviceEntry[];
}

/** A device list as it travels: the exact signed bytes plus the AIK signature over them. */
export interface SignedDeviceList {
  readonly body: Uint8Array;
  readonly signature: Uint8Array;
}

/** What a visitor fetches for one device to start a session with it (X3DH §3.2). */
export interface PrekeyBundle {
  readonly deviceId: DeviceId;
  readonly signedPrekeyId: number;
  /** X25519 public key, signed by the device's signing key. */
  readonly signedPrekey: Uint8Array;
  readonly signedPrekeyCreatedAt: number;
  readonly signedPrekeySignature: Uint8Array;
  readonly oneTimePrekey?: { readonly id: number; readonly publicKey: Uint8Array };
}

/** One link of an account's device-list chain: a version and the chain hash of its body (PROTOCOL §4.3). */
export interface ListLink {
  readonly version: number;
  readonly hash: Uint8Array;
}

/**
 * The verified device list a conversation fans out to, as a participant's directory view holds it
 * (directory's `conversationListOf`). The account id and key are bound into first contact; `earlier`
 * are the links of the same chain this participant verified before `version` (oldest first, bounded),
 * so a responder can tell a list of its own chain from one it never saw (PROTOCOL §5.4).
 */
export interface ConversationDeviceList extends ListLink {
  readonly accountId: AccountId;
  /** The account identity key (AIK) public key that signed this list. */
  readonly accountKey: Uint8Array;
  readonly devices: readonly DeviceEntry[];
  readonly earlier: readonly ListLink[];
}
