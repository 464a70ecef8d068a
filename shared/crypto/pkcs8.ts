/**
 * Wraps a 32-byte X25519 or Ed25519 private key in the fixed PKCS#8 (RFC 5208) prefix given by
 * RFC 8410 §7 (CurvePrivateKey inside a PrivateKeyInfo with OID 1.3.101.110 / 1.3.101.112),
 * because WebCrypto imports these private keys only as pkcs8 or jwk.
 */
import { copyBytes } from './subtle.js';

// RFC 8410 §7: SEQUENCE { INTEGER 0, SEQUENCE { OID }, OCTET STRING { OCTET STRING (32) } }
const PREFIX_X25519 = [
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20,
] as const;
const PREFIX_ED25519 = [
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
] as const;

export const CURVE_OID = { x25519: PREFIX_X25519, ed25519: PREFIX_ED25519 } as const;

/** The caller wipes the returned buffer after import. `secret` must already be 32 bytes. */
export function pkcs8FromRawPrivate(curve: keyof typeof CURVE_OID, secret: Uint8Array): Uint8Array<ArrayBuffer> {
  const prefix = CURVE_OID[curve];
  const der = new Uint8Array(prefix.length + secret.length);
  der.set(prefix, 0);
  der.set(copyBytes(secret), prefix.length);
  return der;
}
