/**
 * The inbox archive keyring (docs/PROTOCOL.md §9.1; security brief §3 "History for agents", F11).
 *
 * A keyring is plain, structured-cloneable state: every archive key this device is entitled to,
 * one per epoch, plus how many records this device sealed under the current key (usage cap,
 * F15). The current key is the one with the highest epoch (ties, from two devices rotating at
 * once, go to the larger key id, so every device converges on the same choice). Old epochs are
 * kept so that history sealed under them stays readable. Transitions return a new keyring and
 * never mutate their input.
 */
import { constantTimeEqual } from '../../crypto/index.js';
import { LimitError, UsageError } from '../../errors/index.js';
import { MAX_U32, type AccountId, idEquals } from '../../wire/index.js';
import { ARCHIVE_KEY_BYTES, ARCHIVE_KEY_ID_BYTES, ARCHIVE_LIMITS, type ArchiveKey } from './archive-codec.js';
import { type ProtocolEnv, ProtocolStateError } from '../core/index.js';

export const ARCHIVE_KEYRING_VERSION = 1;

export interface ArchiveKeyring {
  readonly version: typeof ARCHIVE_KEYRING_VERSION;
  readonly accountId: AccountId;
  /** Sorted by (epoch, keyId); never empty. */
  readonly keys: readonly ArchiveKey[];
  /** Records this device sealed under the key named by `usageKeyId` (the current key). */
  readonly usageKeyId: Uint8Array;
  readonly usageCount: number;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

function compareKeys(a: ArchiveKey, b: ArchiveKey): number {
  return a.epoch !== b.epoch ? a.epoch - b.epoch : compareBytes(a.keyId, b.keyId);
}

function checkKeyShape(key: ArchiveKey): void {
  if (!Number.isInteger(key.epoch) || key.epoch < 1 || key.epoch > MAX_U32)
    throw new UsageError('archive epoch must be in 1..2^32-1');
  if (key.keyId.length !== ARCHIVE_KEY_ID_BYTES || key.key.length !== ARCHIVE_KEY_BYTES) {
    throw new UsageError('archive key must be 32 bytes with a 16-byte key id');
  }
}

/** The key new records are sealed under: highest epoch, then largest key id. */
export function currentArchiveKey(keyring: ArchiveKeyring): ArchiveKey {
  const last = keyring.keys[keyring.keys.length - 1];
  if (last === undefined) throw new ProtocolStateError('archive keyring holds no key');
  return last;
}

/** The key of `epoch` / `keyId`, or undefined when this device was never given it. */
export function findArchiveKey(keyring: ArchiveKeyring, epoch: number, keyId: Uint8Array): ArchiveKey | undefined {
  return keyring.keys.find((k) => k.epoch === epoch && constantTimeEqual(k.keyId, keyId));
}

function freshKey(env: ProtocolEnv, epoch: number): ArchiveKey {
  return { epoch, keyId: env.rng(ARCHIVE_KEY_ID_BYTES), key: env.rng(ARCHIVE_KEY_BYTES) };
}

/** The first keyring of an account (epoch 1), made by its first device. */
export function createArchiveKeyring(env: ProtocolEnv, accountId: AccountId): ArchiveKeyring {
  const first = freshKey(env, 1);
  return { version: ARCHIVE_KEYRING_VERSION, accountId, keys: [first], usageKeyId: first.keyId, usageCount: 0 };
}

/** A new epoch (F11: on any device or agent removal). Old epochs stay; the usage count restarts. */
export function rotateArchiveKeyring(keyring: ArchiveKeyring, env: ProtocolEnv): ArchiveKeyring {
  const epoch = currentArchiveKey(keyring).epoch + 1;
  if (epoch > MAX_U32) throw new LimitError('archive epoch counter exhausted');
  if (keyring.keys.length >= ARCHIVE_LIMITS.maxKeyringKeys) {
    throw new LimitError(`archive keyring already holds ${ARCHIVE_LIMITS.maxKeyringKeys} keys`);
  }
  const next = freshKey(env, epoch);
  return { ...keyring, keys: [...keyring.keys, next], usageKeyId: next.keyId, usageCount: 0 };
}

/**
 * Adds received keys (from a grant) to a keyring, or starts one when `keyring` is undefined.
 * A key already held is skipped; the same (epoch, keyId) with different key bytes, or (for an
 * existing keyring) an epoch more than ARCHIVE_LIMITS.maxEpochJump past the highest held, is a
 * ProtocolStateError and nothing is merged.
 */
export function mergeArchiveKeys(
  keyring: ArchiveKeyring | undefined,
  accountId: AccountId,
  received: readonly ArchiveKey[],
): { readonly keyring: ArchiveKeyring; readonly added: number } {
  if (keyring !== undefined && !idEquals(keyring.accountId, accountId)) {
    throw new ProtocolStateError('archive keys belong to another account');
  }
  const keys = [...(keyring?.keys ?? [])];
  let highest = keyring === undefined ? undefined : currentArchiveKey(keyring).epoch;
  let added = 0;
  for (const key of [...received].sort(compareKeys)) {
    checkKeyShape(key);
    // F11: a first keyring (a newly linked device) takes every epoch its sponsor holds; an existing
    // one only moves forward a few epochs at a time, so the counter cannot be pushed to exhaustion.
    if (highest !== undefined && key.epoch > highest + ARCHIVE_LIMITS.maxEpochJump) {
      throw new ProtocolStateError(
        `archive epoch ${key.epoch} jumps more than ${ARCHIVE_LIMITS.maxEpochJump} past epoch ${highest}`,
      );
    }
    highest = Math.max(highest ?? key.epoch, key.epoch);
    const held = keys.find((k) => k.epoch === key.epoch && constantTimeEqual(k.keyId, key.keyId));
    if (held !== undefined) {
      if (!constantTimeEqual(held.key, key.key))
        throw new ProtocolStateError(`conflicting archive key for epoch ${key.epoch}`);
      continue;
    }
    keys.push({ epoch: key.epoch, keyId: new Uint8Array(key.keyId), key: new Uint8Array(key.key) });
    added++;
  }
  if (keys.length === 0) throw new ProtocolStateError('no archive key received');
  if (keys.length > ARCHIVE_LIMITS.maxKeyringKeys)
    throw new LimitError(`archive keyring would exceed ${ARCHIVE_LIMITS.maxKeyringKeys} keys`);
  keys.sort(compareKeys);
  const base = { version: ARCHIVE_KEYRING_VERSION, accountId, keys } as const;
  const current = keys[keys.length - 1];
  if (current === undefined) throw new ProtocolStateError('no archive key received');
  const sameCurrent = keyring !== undefined && constantTimeEqual(keyring.usageKeyId, current.keyId);
  return {
    keyring: { ...base, usageKeyId: current.keyId, usageCount: sameCurrent ? keyring.usageCount : 0 },
    added,
  };
}
