/**
 * Byte layouts of prekeys (docs/PROTOCOL.md §3.3), in the wire codec of §2.
 *
 *   SignedPrekeyStatement = version u8 || suite u8 || deviceId [16] || signedPrekeyId u32
 *                           || signedPrekey [32] || createdAt u64
 *     signed by the device signing key over "sealdesk/v2/signed-prekey" || 0x00 || statement
 *     (X3DH §3.2: "Sig(IKB, Encode(SPKB))", here with the id, owner and date bound in as well,
 *     so a relay can neither move a signed prekey to another device nor re-date it).
 *   PrekeyBundle = version u8 || suite u8 || deviceId [16] || signedPrekeyId u32
 *                  || signedPrekey [32] || signedPrekeyCreatedAt u64 || signedPrekeySignature [64]
 *                  || optional(oneTimePrekeyId u32 || oneTimePrekey [32])
 */
import { ED25519_SIGNATURE_BYTES, X25519_KEY_BYTES } from '../../crypto/index.js';
import {
  type Codec,
  decode,
  encode,
  fixedBytes,
  optional,
  struct,
  u32,
  u64,
  type DeviceId,
  deviceIdCodec,
} from '../../wire/index.js';
import { type PrekeyBundle, versioned } from '../core/index.js';

export interface SignedPrekeyStatement {
  readonly deviceId: DeviceId;
  readonly signedPrekeyId: number;
  readonly signedPrekey: Uint8Array;
  readonly createdAt: number;
}

export const signedPrekeyStatementCodec: Codec<SignedPrekeyStatement> = versioned(
  struct<SignedPrekeyStatement>({
    deviceId: deviceIdCodec,
    signedPrekeyId: u32,
    signedPrekey: fixedBytes(X25519_KEY_BYTES),
    createdAt: u64,
  }),
);

interface OneTimePrekeyPublic {
  readonly id: number;
  readonly publicKey: Uint8Array;
}

interface BundleFields {
  readonly deviceId: DeviceId;
  readonly signedPrekeyId: number;
  readonly signedPrekey: Uint8Array;
  readonly signedPrekeyCreatedAt: number;
  readonly signedPrekeySignature: Uint8Array;
  readonly oneTimePrekey: OneTimePrekeyPublic | undefined;
}

const bundleFieldsCodec = versioned(
  struct<BundleFields>({
    deviceId: deviceIdCodec,
    signedPrekeyId: u32,
    signedPrekey: fixedBytes(X25519_KEY_BYTES),
    signedPrekeyCreatedAt: u64,
    signedPrekeySignature: fixedBytes(ED25519_SIGNATURE_BYTES),
    oneTimePrekey: optional(struct<OneTimePrekeyPublic>({ id: u32, publicKey: fixedBytes(X25519_KEY_BYTES) })),
  }),
);

/** `oneTimePrekey` is absent from the value (not `undefined`) when the bundle has none. */
export const prekeyBundleCodec: Codec<PrekeyBundle> = {
  write: (w, value) => {
    bundleFieldsCodec.write(w, { ...value, oneTimePrekey: value.oneTimePrekey });
  },
  read: (r) => {
    const { oneTimePrekey, ...rest } = bundleFieldsCodec.read(r);
    return oneTimePrekey === undefined ? rest : { ...rest, oneTimePrekey };
  },
};

export function encodePrekeyBundle(bundle: PrekeyBundle): Uint8Array {
  return encode(prekeyBundleCodec, bundle);
}

export function decodePrekeyBundle(bytes: Uint8Array): PrekeyBundle {
  return decode(prekeyBundleCodec, bytes, 'prekeyBundle');
}
