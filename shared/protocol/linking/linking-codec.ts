/**
 * Byte layouts of device linking (docs/PROTOCOL.md §10.2). All messages are fixed-length except
 * the grant, so their concatenation in the transcript is unambiguous.
 *
 *   payload (QR, 66 B)  = u8 version | u8 suite | accountId[16] | linkId[16] | commitment[32]
 *   offer   (130 B)     = u8 version | u8 suite | linkId[16] | accountKey[32] | deviceId[16]
 *                         | signingKey[32] | ephemeralKey[32]                      (existing device)
 *   reveal  (162 B)     = u8 version | u8 suite | linkId[16] | ephemeralKey[32] | nonce[32]
 *                         | deviceId[16] | signingKey[32] | dhIdentityKey[32]       (new device)
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
} from '../../wire/index.js';
import { deviceEntryCodec } from '../directory/index.js';
import { type DeviceEntry, versioned } from '../core/index.js';

export const LINK_ID_BYTES = 16;

export const LINKING_LIMITS = {
  /** A link attempt older than this (from its start on each device) is refused: start again. */
  ttlMs: 10 * 60 * 1000,
  /** Largest grant ciphertext. */
  maxGrantCiphertextBytes: 1024,
} as const;

export interface LinkPayload {
  readonly accountId: AccountId;
  readonly linkId: Uint8Array;
  readonly commitment: Uint8Array;
}

export interface LinkOffer {
  readonly linkId: Uint8Array;
  /** The account identity key (AIK) the existing device trusts; the new device pins it. */
  readonly accountKey: Uint8Array;
  readonly deviceId: DeviceId;
  readonly signingKey: Uint8Array;
  readonly ephemeralKey: Uint8Array;
}

export interface LinkReveal {
  readonly linkId: Uint8Array;
  readonly ephemeralKey: Uint8Array;
  readonly nonce: Uint8Array;
  readonly deviceId: DeviceId;
  readonly signingKey: Uint8Array;
  readonly dhIdentityKey: Uint8Array;
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
  struct<LinkPayload>({ accountId: accountIdCodec, linkId: linkIdCodec, commitment: key32 }),
);

export const linkOfferCodec: Codec<LinkOffer> = versioned(
  struct<LinkOffer>({
    linkId: linkIdCodec,
    accountKey: key32,
    deviceId: deviceIdCodec,
    signingKey: key32,
    ephemeralKey: key32,
  }),
);

export const linkRevealCodec: Codec<LinkReveal> = versioned(
  struct<LinkReveal>({
    linkId: linkIdCodec,
    ephemeralKey: key32,
    nonce: key32,
    deviceId: deviceIdCodec,
    signingKey: key32,
    dhIdentityKey: key32,
  }),
);

export const linkGrantCodec: Codec<LinkGrant> = versioned(
  struct<LinkGrant>({ linkId: linkIdCodec, ciphertext: varBytes(LINKING_LIMITS.maxGrantCiphertextBytes) }),
);

export const linkGrantBodyCodec: Codec<LinkGrantBody> = versioned(
  struct<LinkGrantBody>({ accountId: accountIdCodec, entry: deviceEntryCodec, archiveGrantCount: u16 }),
);
