/**
 * The account identity key (AIK): one Ed25519 key per business account (docs/PROTOCOL.md §3.1;
 * RFC 8032 §5.1). It signs every device list version (§4) and nothing else; its fingerprint is the
 * business fingerprint pinned in the embed snippet (security brief F1, §12).
 *
 * The key is made from a 32-byte seed (RFC 8032 §5.1.5 secret key) drawn from `env.rng`, imported
 * as a non-extractable CryptoKey. The seed is handed back exactly once, at creation, so that the
 * caller can wrap it under the recovery key (directory/recovery.ts, §11) and then wipe it; the identity
 * state itself holds only the non-extractable key.
 */
import { type Ed25519KeyPair, ed25519KeyPairFromSeed, ed25519Seed } from '../../crypto/index.js';
import { ID_BYTES, type AccountId, asAccountId } from '../../wire/index.js';
import type { ProtocolEnv } from '../core/index.js';

export const ACCOUNT_IDENTITY_STATE_VERSION = 1;

/** Stored by owner devices (structured-cloneable: the private key is a non-extractable CryptoKey). */
export interface AccountIdentity {
  readonly version: typeof ACCOUNT_IDENTITY_STATE_VERSION;
  readonly accountId: AccountId;
  /** The AIK; `signing.publicKey` is the 32-byte key pinned (as a fingerprint) by the snippet. */
  readonly signing: Ed25519KeyPair;
}

export interface NewAccountIdentity {
  readonly identity: AccountIdentity;
  /** The AIK seed: wrap it with `wrapIdentityBackup` (directory/recovery.ts), then `wipe` it. Never store it. */
  readonly seed: Uint8Array;
}

/** Rebuilds the identity from a seed (after unwrapping a recovery backup). InvalidKeyError on a bad length. */
export async function accountIdentityFromSeed(accountId: AccountId, seed: Uint8Array): Promise<AccountIdentity> {
  const signing = await ed25519KeyPairFromSeed(seed);
  return { version: ACCOUNT_IDENTITY_STATE_VERSION, accountId: asAccountId(accountId), signing };
}

/** A new account: a random 128-bit account id (F20) and a fresh AIK from `env.rng(32)`. */
export async function createAccountIdentity(env: ProtocolEnv): Promise<NewAccountIdentity> {
  const accountId = asAccountId(env.rng(ID_BYTES));
  const seed = ed25519Seed(env.rng);
  const identity = await accountIdentityFromSeed(accountId, seed);
  return { identity, seed };
}

/**
 * A replacement AIK for the same account (account key rotation, §11.3). The old identity is not
 * consulted: rotation statements (directory/rotation.ts) are what link the two keys.
 */
export async function createRotatedAccountIdentity(
  accountId: AccountId,
  env: ProtocolEnv,
): Promise<NewAccountIdentity> {
  const seed = ed25519Seed(env.rng);
  const identity = await accountIdentityFromSeed(accountId, seed);
  return { identity, seed };
}
