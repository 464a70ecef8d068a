/**
 * A body signed by one device's signing key, as change requests and their decisions travel
 * (docs/PROTOCOL.md §4.5): `version u8 || suite u8 || body varBytes(≤ cap) || signature [64]`.
 */
import { ED25519_SIGNATURE_BYTES } from '../../crypto/index.js';
import { type Codec, fixedBytes, struct, varBytes } from '../../wire/index.js';
import { versioned } from '../core/index.js';

export interface SignedStatement {
  readonly body: Uint8Array;
  readonly signature: Uint8Array;
}

/** The codec of a signed statement whose body is at most `maxBodyBytes` (checked on the length prefix). */
export function signedStatementCodec(maxBodyBytes: number): Codec<SignedStatement> {
  return versioned(
    struct<SignedStatement>({
      body: varBytes(maxBodyBytes),
      signature: fixedBytes(ED25519_SIGNATURE_BYTES),
    }),
  );
}
