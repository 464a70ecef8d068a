/**
 * An independent reading of docs/PROTOCOL.md for the vector checks: raw WebCrypto calls
 * (`crypto.subtle`, no shared/crypto wrapper), hand-written byte parsing and the spec's formulas,
 * written from the text, so the stored vectors are not only the code agreeing with itself.
 */
const subtle = globalThis.crypto.subtle;

/** A copy WebCrypto's types accept (an ArrayBuffer-backed view). */
function own(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}
const text = new TextEncoder();

export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function unhex(s: string): Uint8Array {
  if (!/^([0-9a-f]{2})*$/.test(s)) throw new Error('not lower-case hex');
  return Uint8Array.from(s.match(/../g) ?? [], (h) => parseInt(h, 16));
}

export function cat(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function ascii(s: string): Uint8Array {
  return text.encode(s);
}

export function u32be(n: number): Uint8Array {
  return Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

/** §2.1 u64, big-endian (values up to 2^53 − 1). */
export function u64be(n: number): Uint8Array {
  return cat(u32be(Math.floor(n / 2 ** 32)), u32be(n % 2 ** 32));
}

/** §1: label || 0x00 || bytes. */
export function labelled(label: string, bytes: Uint8Array): Uint8Array {
  return cat(ascii(label), Uint8Array.of(0), bytes);
}

export async function sha256(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await subtle.digest('SHA-256', own(data)));
}

export async function hkdf(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Promise<Uint8Array> {
  const key = await subtle.importKey('raw', own(ikm), 'HKDF', false, ['deriveBits']);
  return new Uint8Array(
    await subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: own(salt), info: own(info) }, key, 8 * length),
  );
}

export async function hmac(key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const k = await subtle.importKey('raw', own(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await subtle.sign('HMAC', k, own(data)));
}

export async function aesGcmOpen(
  key: Uint8Array,
  iv: Uint8Array,
  sealed: Uint8Array,
  ad: Uint8Array,
): Promise<Uint8Array> {
  const k = await subtle.importKey('raw', own(key), 'AES-GCM', false, ['decrypt']);
  return new Uint8Array(
    await subtle.decrypt({ name: 'AES-GCM', iv: own(iv), additionalData: own(ad), tagLength: 128 }, k, own(sealed)),
  );
}

// RFC 8410 PKCS #8 wrappers of a 32-byte private key (OIDs 1.3.101.110 X25519, 1.3.101.112 Ed25519).
const X25519_PKCS8 = unhex('302e020100300506032b656e04220420');
const ED25519_PKCS8 = unhex('302e020100300506032b657004220420');

function base64UrlBytes(s: string | undefined): Uint8Array {
  if (s === undefined) throw new Error('JWK without x');
  return new Uint8Array(Buffer.from(s, 'base64url'));
}

export interface RawX25519 {
  readonly publicKey: Uint8Array;
  readonly dh: (peer: Uint8Array) => Promise<Uint8Array>;
}

/** RFC 7748: the key pair of a 32-byte seed (the engine clamps), and X25519 with a peer's public key. */
export async function x25519FromSeed(seed: Uint8Array): Promise<RawX25519> {
  const privateKey = await subtle.importKey('pkcs8', own(cat(X25519_PKCS8, seed)), { name: 'X25519' }, true, [
    'deriveBits',
  ]);
  const jwk = await subtle.exportKey('jwk', privateKey);
  return {
    publicKey: base64UrlBytes(jwk.x),
    dh: async (peer) => {
      const pub = await subtle.importKey('raw', own(peer), { name: 'X25519' }, false, []);
      return new Uint8Array(await subtle.deriveBits({ name: 'X25519', public: pub }, privateKey, 256));
    },
  };
}

/** RFC 8032 §5.1.5: the public key of a 32-byte Ed25519 secret key. */
export async function ed25519PublicFromSeed(seed: Uint8Array): Promise<Uint8Array> {
  const privateKey = await subtle.importKey('pkcs8', own(cat(ED25519_PKCS8, seed)), { name: 'Ed25519' }, true, [
    'sign',
  ]);
  return base64UrlBytes((await subtle.exportKey('jwk', privateKey)).x);
}

export async function ed25519Verify(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  const key = await subtle.importKey('raw', own(publicKey), { name: 'Ed25519' }, false, ['verify']);
  return subtle.verify({ name: 'Ed25519' }, key, own(signature), own(message));
}

/** §18.1: block i of a party's vector rng. */
export async function rngBlock(seed: string, index: number): Promise<Uint8Array> {
  return sha256(ascii(`${seed}/${index}`));
}

/** RFC 4648 §6, lower case, no padding. */
export function base32(bytes: Uint8Array): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  let bits = '';
  for (const b of bytes) bits += b.toString(2).padStart(8, '0');
  let out = '';
  for (let i = 0; i < bits.length; i += 5) out += alphabet[parseInt(bits.slice(i, i + 5).padEnd(5, '0'), 2)] ?? '';
  return out;
}

/** A byte cursor for reading layouts by hand. */
class Cursor {
  private at = 0;
  constructor(private readonly bytes: Uint8Array) {}
  take(n: number): Uint8Array {
    if (this.at + n > this.bytes.length) throw new Error('layout runs past the end');
    const out = this.bytes.slice(this.at, this.at + n);
    this.at += n;
    return out;
  }
  u8(): number {
    return this.take(1)[0] ?? 0;
  }
  u32(): number {
    const b = this.take(4);
    return (((b[0] ?? 0) << 24) | ((b[1] ?? 0) << 16) | ((b[2] ?? 0) << 8) | (b[3] ?? 0)) >>> 0;
  }
  rest(): number {
    return this.bytes.length - this.at;
  }
}

export interface ParsedPacket {
  readonly version: number;
  readonly suite: number;
  readonly conversationId: Uint8Array;
  readonly senderId: Uint8Array;
  readonly recipientId: Uint8Array;
  readonly tag: number;
  readonly sessionId: Uint8Array;
  /** The ratchet header bytes (§6.3) and its fields. */
  readonly headerBytes: Uint8Array;
  readonly dh: Uint8Array;
  readonly pn: number;
  readonly n: number;
  readonly ciphertext: Uint8Array;
  readonly body: Uint8Array;
}

/** §7.2 packet, §6.4 session packet, §5.3 first-contact header, §6.3 ratchet message, read by hand. */
export function parsePacket(bytes: Uint8Array): ParsedPacket {
  const c = new Cursor(bytes);
  const version = c.u8();
  const suite = c.u8();
  const conversationId = c.take(16);
  const senderId = c.take(16);
  const recipientId = c.take(16);
  const tag = c.u8();
  const sessionId = c.take(16);
  if (tag === 1) {
    c.take(32 + 32 + 4); // IKA, EKA, signedPrekeyId
    if (c.u8() === 1) c.take(4); // optional oneTimePrekeyId
    c.take(4 + 32); // deviceListVersion, deviceListHash
  }
  const headerBytes = c.take(1 + 1 + 32 + 4 + 4);
  const h = new Cursor(headerBytes);
  h.take(2);
  const dh = h.take(32);
  const pn = h.u32();
  const n = h.u32();
  const ciphertext = c.take(c.u32());
  if (tag === 2) c.take(64); // first-reply signature
  const body = c.take(c.u32());
  if (c.rest() !== 0) throw new Error('trailing bytes after the packet');
  return {
    version,
    suite,
    conversationId,
    senderId,
    recipientId,
    tag,
    sessionId,
    headerBytes,
    dh,
    pn,
    n,
    ciphertext,
    body,
  };
}

/** §7.5: u32 length | content | zero bytes. */
export function unpadByHand(padded: Uint8Array): Uint8Array {
  const c = new Cursor(padded);
  const length = c.u32();
  const content = c.take(length);
  if (padded.slice(4 + length).some((b) => b !== 0)) throw new Error('non-zero padding');
  return content;
}
