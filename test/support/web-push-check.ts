/**
 * The independent check of what a Web Push sender produced, written from the RFCs with node:crypto
 * (never with web-push, the library under test): RFC 8291 decryption of an aes128gcm body with the
 * subscription's private key, and RFC 8292 verification of the VAPID token.
 */
import { createECDH, createDecipheriv, createPublicKey, hkdfSync, verify, type ECDH } from 'node:crypto';

const concat = (...parts: Uint8Array[]): Buffer => Buffer.concat(parts);
const text = (s: string): Buffer => Buffer.from(s, 'utf8');

/** A subscription's key pair and secret, as a browser's push manager would hold them. */
export interface SubscriberKeys {
  readonly ecdh: ECDH;
  /** 65 bytes, uncompressed (ua_public). */
  readonly publicKey: Uint8Array;
  /** 16 bytes (auth_secret). */
  readonly auth: Uint8Array;
}

export function newSubscriberKeys(): SubscriberKeys {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return { ecdh, publicKey: new Uint8Array(ecdh.getPublicKey()), auth: crypto.getRandomValues(new Uint8Array(16)) };
}

/**
 * RFC 8291 §3.4 and RFC 8188 §2: header salt(16) | rs(u32) | idlen(u8) | keyid (= as_public, 65)
 * then one record, AES-128-GCM; the plaintext ends with the delimiter 0x02 and zero padding.
 */
export function decryptAes128gcm(body: Uint8Array, keys: SubscriberKeys): Uint8Array {
  const b = Buffer.from(body);
  if (b.length < 21) throw new Error('aes128gcm body shorter than its header');
  const salt = b.subarray(0, 16);
  const rs = b.readUInt32BE(16);
  const idlen = b[20] ?? 0;
  if (idlen !== 65) throw new Error(`keyid must be the sender's 65-byte P-256 key, got ${String(idlen)} bytes`);
  const asPublic = b.subarray(21, 21 + idlen);
  const record = b.subarray(21 + idlen);
  if (record.length > rs || record.length < 17) throw new Error('expected exactly one record');
  const ecdhSecret = keys.ecdh.computeSecret(asPublic);
  // RFC 8291 §3.3-3.4: IKM = HKDF(auth_secret, ecdh_secret, "WebPush: info" 0x00 ua_public as_public, 32)
  const keyInfo = concat(text('WebPush: info'), Buffer.of(0), keys.publicKey, asPublic);
  const ikm = Buffer.from(hkdfSync('sha256', ecdhSecret, keys.auth, keyInfo, 32));
  // RFC 8188 §2.2-2.3
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, concat(text('Content-Encoding: aes128gcm'), Buffer.of(0)), 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, concat(text('Content-Encoding: nonce'), Buffer.of(0)), 12));
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(record.subarray(record.length - 16));
  const padded = concat(decipher.update(record.subarray(0, record.length - 16)), decipher.final());
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end -= 1;
  if (padded[end] !== 0x02) throw new Error('the last record must end with the delimiter 0x02 (RFC 8188 §2)');
  return new Uint8Array(padded.subarray(0, end));
}

export interface VapidClaims {
  readonly aud: string;
  readonly exp: number;
  readonly sub: string;
}

/**
 * RFC 8292 §2-3: `Authorization: vapid t=<JWT>, k=<public key>`, the JWT ES256-signed by k, its
 * `aud` the push resource's origin and `exp` within 24 hours. Returns the claims and k.
 */
export function verifyVapid(
  authorization: string | undefined,
  origin: string,
  nowSeconds: number,
): { claims: VapidClaims; publicKey: string } {
  const m = /^vapid t=([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+), k=([A-Za-z0-9_-]+)$/.exec(authorization ?? '');
  if (m?.[1] === undefined || m[2] === undefined) throw new Error('no "vapid t=…, k=…" Authorization');
  const [head = '', payload = '', signature = ''] = m[1].split('.');
  const header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as { alg?: unknown; typ?: unknown };
  if (header.alg !== 'ES256') throw new Error('the VAPID token must be ES256');
  const point = Buffer.from(m[2], 'base64url');
  if (point.length !== 65 || point[0] !== 4) throw new Error('k must be an uncompressed P-256 point');
  const key = createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: point.subarray(1, 33).toString('base64url'),
      y: point.subarray(33).toString('base64url'),
    },
    format: 'jwk',
  });
  const ok = verify(
    'sha256',
    Buffer.from(`${head}.${payload}`, 'ascii'),
    { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'base64url'),
  );
  if (!ok) throw new Error('the VAPID token signature does not verify under k');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as VapidClaims;
  if (claims.aud !== origin) throw new Error(`aud ${claims.aud} is not the push service's origin ${origin}`);
  if (!(claims.exp > nowSeconds && claims.exp <= nowSeconds + 24 * 3600)) throw new Error('exp not within 24 hours');
  if (!/^(mailto:|https:)/.test(claims.sub)) throw new Error('sub must be mailto: or https:');
  return { claims, publicKey: m[2] };
}
