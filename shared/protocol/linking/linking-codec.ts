/**
 * Byte layouts of device linking (docs/PROTOCOL.md §10.2). All messages are fixed-length except
 * the grant, so their concatenation in the transcript is unambiguous.
 *
 *   payload (QR, 82 B)  = u8 version | u8 suite | accountId[16] | agentId[16] | linkId[16]
 *                         | commitment[32]                                         (existing device)
 *   hello   (195 B)     = u8 version | u8 suite | linkId[16] | ephemeralKey[32] | deviceId[16]
 *                         | signingKey[32] | dhIdentityKey[32] | u8 kind | proofOfPossession[64]  (new device)
 *   offer   (162 B)     = u8 version | u8 suite | linkId[16] | accountKey[32] | deviceId[16]
 *                         | signingKey[32] | ephemeralKey[32] | nonce[32]           (existing device)
 *   grant               = u8 version | u8 suite | linkId[16] | u32 length | ciphertext
 *   grantBody           = u8 version | u8 suite | accountId[16] | DeviceEntry (PROTOCOL §4.1)
 *                         | u16 archiveGrantCount
 */
import {
  type Codec,
  fixedBytes,
  struct,
  u16,
  varBytes,
  type AccountId,
  type DeviceId,
  accountIdCodec,
  deviceIdCodec,
  ID_BYTES,
} from '../../wire/index.js';
import { deviceEntryCodec, deviceKindCodec } from '../directory/index.js';
import { type DeviceEntry, type DeviceKind, versioned } from '../core/index.js';

export const LINK_ID_BYTES = 16;
export const LINK_NONCE_BYTES = 32;

export const LINKING_LIMITS = {
  /** A link attempt older than this (from its start on each device) is refused: start again. */
  ttlMs: 10 * 60 * 1000,
  /** Largest grant ciphertext. */
  maxGrantCiphertextBytes: 1024,
} as const;

/** What the existing device shows in its QR code (the authentic channel from E to N). */
export interface LinkPayload {
  readonly accountId: AccountId;
  /** The agent the new device will belong to (bound into the new device's proof of possession). */
  readonly agentId: Uint8Array;
  readonly linkId: Uint8Array;
  /** Commitment to the offer (linkCommitment), revealed only after the new device's hello. */
  readonly commitment: Uint8Array;
}

/** The new device's keys, sent through the relay after it scanned the payload. */
export interface LinkHello {
  readonly linkId: Uint8Array;
  readonly ephemeralKey: Uint8Array;
  readonly deviceId: DeviceId;
  readonly signingKey: Uint8Array;
  readonly dhIdentityKey: Uint8Array;
  /** The new device's own kind (extension / PWA), for its list entry; signed by its proof of possession. */
  readonly kind: DeviceKind;
  /** Ed25519 signature by signingKey over the device entry fields (linking-proof-of-possession.ts). */
  readonly proofOfPossession: Uint8Array;
}

/** The existing device's reveal of its commitment, sent after it received the hello. */
export interface LinkOffer {
  readonly linkId: Uint8Array;
  /** The account identity key (AIK) the existing device trusts; the new device pins it. */
  readonly accountKey: Uint8Array;
  readonly deviceId: DeviceId;
  readonly signingKey: Uint8Array;
  readonly ephemeralKey: Uint8Array;
  readonly nonce: Uint8Array;
}

export interface LinkGrant {
  readonly linkId: Uint8Array;
  readonly ciphertext: Uint8Array;
}

export interface LinkGrantBody {
  readonly accountId: AccountId;
  readonly entry: DeviceEntry;
  /** How many archive key grants (sealed boxes) the existing device released with this link. */
  readonly archiveGrantCount: number;
}

const key32 = fixedBytes(32);
const linkIdCodec = fixedBytes(LINK_ID_BYTES);

export const linkPayloadCodec: Codec<LinkPayload> = versioned(
  struct<LinkPayload>({
    accountId: accountIdCodec,
    agentId: fixedBytes(ID_BYTES),
    linkId: linkIdCodec,
    commitment: key32,
  }),
);

export const linkHelloCodec: Codec<LinkHello> = versioned(
  struct<LinkHello>({
    linkId: linkIdCodec,
    ephemeralKey: key32,
    deviceId: deviceIdCodec,
    signingKey: key32,
    dhIdentityKey: key32,
    kind: deviceKindCodec,
    proofOfPossession: fixedBytes(64),
  }),
);

export const linkOfferCodec: Codec<LinkOffer> = versioned(
  struct<LinkOffer>({
    linkId: linkIdCodec,
    accountKey: key32,
    deviceId: deviceIdCodec,
    signingKey: key32,
    ephemeralKey: key32,
    nonce: fixedBytes(LINK_NONCE_BYTES),
  }),
);

export const linkGrantCodec: Codec<LinkGrant> = versioned(
  struct<LinkGrant>({ linkId: linkIdCodec, ciphertext: varBytes(LINKING_LIMITS.maxGrantCiphertextBytes) }),
);

export const linkGrantBodyCodec: Codec<LinkGrantBody> = versioned(
  struct<LinkGrantBody>({ accountId: accountIdCodec, entry: deviceEntryCodec, archiveGrantCount: u16 }),
);
