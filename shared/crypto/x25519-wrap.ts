/**
 * X25519 private keys in a wrapped form for storage. WebKit (WebKitGTK 2.50) stores every X25519
 * CryptoKey in IndexedDB as null, silently, and cannot structuredClone one; AES keys it stores
 * fine. So a store keeps X25519 private keys as WebCrypto `wrapKey` output (pkcs8, AES-GCM) under a
 * non-extractable AES-GCM "storage wrapping key" of its own, and unwraps them non-extractable.
 *
 * wrapKey needs an extractable key, so x25519.ts makes each private key twice: the non-extractable
 * key the caller gets, and an extractable twin kept only in this module's WeakMap. The first wrap
 * drops the twin and keeps the wrapped form instead; a key unwrapped from storage never has a twin.
 * Private key bytes never reach JavaScript: only the engine sees them (wrapKey, unwrapKey).
 */
import { InvalidKeyError } from '../errors/index.js';
import { secureRandom } from './random.js';
import { copyBytes, engineErrorName, subtle } from './subtle.js';

export const WRAP_IV_BYTES = 12;

/** A private key as `wrapKey('pkcs8', key, wrappingKey, { name: 'AES-GCM', iv })` returned it. */
export interface WrappedX25519 {
  readonly iv: Uint8Array;
  readonly wrapped: Uint8Array;
}

/**
 * A storage wrapping key and its random id. The id names the key across reads: each read of a
 * stored CryptoKey is a new object, so the key itself cannot tell whether a form was made under it.
 */
export interface StorageWrappingKey {
  readonly key: CryptoKey;
  readonly id: string;
}

const WRAPPING_KEY_ID_BYTES = 16;

const twins = new WeakMap<CryptoKey, CryptoKey>();
const wrappedForms = new WeakMap<CryptoKey, { readonly under: string; readonly form: WrappedX25519 }>();

/** x25519.ts only: `extractable` is the same key as `privateKey`, kept here until its first wrap. */
export function keepExtractableTwin(privateKey: CryptoKey, extractable: CryptoKey): void {
  twins.set(privateKey, extractable);
}

/** A fresh non-extractable AES-GCM key for wrapping and unwrapping stored X25519 keys. */
export async function generateStorageWrappingKey(): Promise<StorageWrappingKey> {
  const key = await subtle().generateKey({ name: 'AES-GCM', length: 256 }, false, ['wrapKey', 'unwrapKey']);
  const id = Array.from(secureRandom(WRAPPING_KEY_ID_BYTES), (b) => b.toString(16).padStart(2, '0')).join('');
  return { key, id };
}

export function isStorageWrappingKey(value: unknown): value is StorageWrappingKey {
  if (typeof value !== 'object' || value === null || !('key' in value) || !('id' in value)) return false;
  const { key, id } = value;
  return (
    key instanceof CryptoKey &&
    key.algorithm.name === 'AES-GCM' &&
    key.usages.includes('wrapKey') &&
    key.usages.includes('unwrapKey') &&
    typeof id === 'string' &&
    id.length === 2 * WRAPPING_KEY_ID_BYTES
  );
}

export function isX25519PrivateKey(key: CryptoKey): boolean {
  return key.algorithm.name === 'X25519' && key.type === 'private';
}

/**
 * The wrapped form of an X25519 private key made by x25519.ts (or unwrapped from storage under the
 * same wrapping key). InvalidKeyError for a key of which this page holds neither a twin nor a form
 * under `wrappingKey` (e.g. made by subtle.generateKey directly, or stored under another key).
 */
export async function wrapX25519PrivateKey(
  privateKey: CryptoKey,
  wrappingKey: StorageWrappingKey,
): Promise<WrappedX25519> {
  const known = wrappedForms.get(privateKey);
  if (known?.under === wrappingKey.id) return known.form;
  const twin = twins.get(privateKey);
  if (twin === undefined) {
    throw new InvalidKeyError(
      'this X25519 private key cannot be stored: it was not made by shared/crypto, or it is stored under another wrapping key',
    );
  }
  const iv = secureRandom(WRAP_IV_BYTES);
  const wrapped = new Uint8Array(
    await subtle().wrapKey('pkcs8', twin, wrappingKey.key, { name: 'AES-GCM', iv: copyBytes(iv) }),
  );
  const form = { iv, wrapped };
  twins.delete(privateKey);
  wrappedForms.set(privateKey, { under: wrappingKey.id, form });
  return form;
}

/** The non-extractable X25519 private key of a wrapped form; InvalidKeyError if it does not open. */
export async function unwrapX25519PrivateKey(form: WrappedX25519, wrappingKey: StorageWrappingKey): Promise<CryptoKey> {
  if (form.iv.length !== WRAP_IV_BYTES) throw new InvalidKeyError(`a wrapped key's iv must be ${WRAP_IV_BYTES} bytes`);
  let privateKey: CryptoKey;
  try {
    privateKey = await subtle().unwrapKey(
      'pkcs8',
      copyBytes(form.wrapped),
      wrappingKey.key,
      { name: 'AES-GCM', iv: copyBytes(form.iv) },
      { name: 'X25519' },
      false,
      ['deriveBits'],
    );
  } catch (error) {
    throw new InvalidKeyError(`the wrapped X25519 key does not open (${engineErrorName(error)})`, { cause: error });
  }
  wrappedForms.set(privateKey, { under: wrappingKey.id, form });
  return privateKey;
}
