/**
 * Double Ratchet session state (Signal, "The Double Ratchet Algorithm" §3.2 state variables,
 * §3.3 initialisation) as plain, versioned, structured-cloneable data (docs/PROTOCOL.md §6.2).
 * Private ratchet keys are non-extractable CryptoKeys; chain and root keys are byte strings.
 * A state is never mutated: every transition returns a new one and the caller persists it
 * before it sends, acks or shows anything.
 */
import { x25519, x25519KeyPairFromSeed, type X25519KeyPair } from '../../crypto/index.js';
import { SUITE_V1, WIRE_VERSION } from '../../wire/index.js';
import type { ProtocolEnv } from '../core/index.js';
import { kdfRk } from './ratchet-kdf.js';

export const RATCHET_STATE_VERSION = 1;

/** A message key kept for a message that has not arrived yet (Double Ratchet §3.2 MKSKIPPED). */
export interface SkippedMessageKey {
  readonly dh: Uint8Array;
  readonly n: number;
  readonly messageKey: Uint8Array;
  /** env.now() when the key was derived; it expires RATCHET_LIMITS.skippedKeyMaxAgeMs later. */
  readonly storedAt: number;
}

export interface RatchetState {
  readonly version: typeof RATCHET_STATE_VERSION;
  /** Wire version and suite the session was created with (F21: lower ones are a downgrade). */
  readonly protocolVersion: number;
  readonly suite: number;
  /** X3DH associated data AD; prefixed to every message's header in the AEAD associated data. */
  readonly associatedData: Uint8Array;
  /** RK */
  readonly rootKey: Uint8Array;
  /** DHs */
  readonly dhSelf: X25519KeyPair;
  /** DHr (null for the responder until the first message arrives) */
  readonly dhRemote: Uint8Array | null;
  /** CKs, CKr */
  readonly sendChainKey: Uint8Array | null;
  readonly recvChainKey: Uint8Array | null;
  /** Ns, Nr, PN */
  readonly sendN: number;
  readonly recvN: number;
  readonly prevSendN: number;
  /** MKSKIPPED, oldest first, bounded by RATCHET_LIMITS. */
  readonly skipped: readonly SkippedMessageKey[];
  /**
   * Tags of earlier DHr values (their first RATCHET_LIMITS.remoteKeyTagBytes bytes, newest last,
   * bounded): a message on one of these chains with no skipped key is a replay (PROTOCOL §6.5).
   */
  readonly previousRemoteKeyTags: readonly Uint8Array[];
  /** True once the peer provably processed one of our messages (it ratcheted past a key of ours). */
  readonly peerConfirmed: boolean;
}

/**
 * Double Ratchet §3.3 RatchetInitAlice: the initiator (first-contact sender) starts with the
 * responder's signed prekey as DHr and a fresh key pair from env.rng.
 */
export async function initRatchetInitiator(
  sharedSecret: Uint8Array,
  associatedData: Uint8Array,
  responderRatchetKey: Uint8Array,
  env: ProtocolEnv,
): Promise<RatchetState> {
  return initRatchetInitiatorWithKey(
    sharedSecret,
    associatedData,
    responderRatchetKey,
    await x25519KeyPairFromSeed(env.rng(32)),
  );
}

/** RatchetInitAlice with the initiator's first ratchet key pair already made (from env.rng by the caller). */
export async function initRatchetInitiatorWithKey(
  sharedSecret: Uint8Array,
  associatedData: Uint8Array,
  responderRatchetKey: Uint8Array,
  dhSelf: X25519KeyPair,
): Promise<RatchetState> {
  const { rootKey, chainKey } = await kdfRk(sharedSecret, await x25519(dhSelf.privateKey, responderRatchetKey));
  return {
    version: RATCHET_STATE_VERSION,
    protocolVersion: WIRE_VERSION,
    suite: SUITE_V1,
    associatedData,
    rootKey,
    dhSelf,
    dhRemote: responderRatchetKey,
    sendChainKey: chainKey,
    recvChainKey: null,
    sendN: 0,
    recvN: 0,
    prevSendN: 0,
    skipped: [],
    previousRemoteKeyTags: [],
    peerConfirmed: false,
  };
}

/** Double Ratchet §3.3 RatchetInitBob: the responder's first DHs is its signed prekey pair. */
export function initRatchetResponder(
  sharedSecret: Uint8Array,
  associatedData: Uint8Array,
  signedPrekey: X25519KeyPair,
): RatchetState {
  return {
    version: RATCHET_STATE_VERSION,
    protocolVersion: WIRE_VERSION,
    suite: SUITE_V1,
    associatedData,
    rootKey: sharedSecret,
    dhSelf: signedPrekey,
    dhRemote: null,
    sendChainKey: null,
    recvChainKey: null,
    sendN: 0,
    recvN: 0,
    prevSendN: 0,
    skipped: [],
    previousRemoteKeyTags: [],
    peerConfirmed: false,
  };
}
