/**
 * Double Ratchet encryption and decryption (Signal, "The Double Ratchet Algorithm", revision 1,
 * §3.4 RatchetEncrypt / RatchetDecrypt, §3.5 skipped message keys) as pure transitions over
 * RatchetState (docs/PROTOCOL.md §6). Any failure throws a typed error and the input state is
 * left as it was (it is never mutated), so the caller keeps using it.
 */
import {
  concatBytes,
  constantTimeEqual,
  aesGcmDecrypt,
  aesGcmEncrypt,
  x25519,
  x25519KeyPairFromSeed,
} from '../../crypto/index.js';
import { DecodeError, LimitError } from '../../errors/index.js';
import { encode, SUPPORTED_SUITES, WIRE_VERSION } from '../../wire/index.js';
import { type ProtocolEnv, DowngradeError, ProtocolStateError, ReplayError } from '../core/index.js';
import { type RatchetHeader, ratchetHeaderCodec, type RatchetMessage } from './ratchet-codec.js';
import { kdfCk, kdfRk, messageKeyMaterial } from './ratchet-kdf.js';
import { RATCHET_LIMITS } from './ratchet-limits.js';
import type { RatchetState, SkippedMessageKey } from './ratchet-state.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function sameKey(a: Uint8Array | null, b: Uint8Array): boolean {
  return a !== null && constantTimeEqual(a, b);
}

/** The compact tag an earlier remote ratchet key is remembered by (PROTOCOL §6.2). */
function remoteKeyTag(key: Uint8Array): Uint8Array {
  return key.slice(0, RATCHET_LIMITS.remoteKeyTagBytes);
}

/** Double Ratchet §3.4: AEAD associated data = CONCAT(AD, header). */
function associatedDataFor(state: RatchetState, header: RatchetHeader): Uint8Array {
  return concatBytes(state.associatedData, encode(ratchetHeaderCodec, header));
}

/**
 * F21: the header's version and suite. Lower than the session's is a downgrade; anything else
 * this build does not speak is unknown (DecodeError). Both are also covered by the AEAD.
 */
export function checkHeaderVersion(state: RatchetState, header: RatchetHeader): void {
  if (
    header.version < state.protocolVersion ||
    (header.version === state.protocolVersion && header.suite < state.suite)
  ) {
    throw new DowngradeError(
      `message uses protocol ${header.version}/suite ${header.suite}, older than the session's ${state.protocolVersion}/${state.suite}`,
    );
  }
  if (header.version !== WIRE_VERSION) throw new DecodeError(`unknown protocol version ${header.version}`);
  if (!SUPPORTED_SUITES.includes(header.suite) || header.suite !== state.suite)
    throw new DecodeError(`unknown cipher suite ${header.suite}`);
}

/** Skipped keys past their age are deleted (docs/PROTOCOL.md §6.6). */
function unexpired(skipped: readonly SkippedMessageKey[], now: number): SkippedMessageKey[] {
  return skipped.filter((k) => now - k.storedAt <= RATCHET_LIMITS.skippedKeyMaxAgeMs);
}

/** Double Ratchet §3.4 RatchetEncrypt. */
export async function ratchetEncrypt(
  state: RatchetState,
  plaintext: Uint8Array,
): Promise<{ state: RatchetState; message: RatchetMessage }> {
  if (state.sendChainKey === null)
    throw new ProtocolStateError('this session cannot send before it has received the first message');
  if (state.sendN >= RATCHET_LIMITS.maxMessageNumber)
    throw new LimitError('sending chain exhausted: wait for the peer to reply');
  const { chainKey, messageKey } = await kdfCk(state.sendChainKey);
  const header: RatchetHeader = {
    version: state.protocolVersion,
    suite: state.suite,
    dh: state.dhSelf.publicKey,
    pn: state.prevSendN,
    n: state.sendN,
  };
  const { key, iv } = await messageKeyMaterial(messageKey);
  const ciphertext = await aesGcmEncrypt(key, iv, plaintext, associatedDataFor(state, header));
  return { state: { ...state, sendChainKey: chainKey, sendN: state.sendN + 1 }, message: { header, ciphertext } };
}

async function openWith(state: RatchetState, messageKey: Uint8Array, message: RatchetMessage): Promise<Uint8Array> {
  const { key, iv } = await messageKeyMaterial(messageKey);
  return aesGcmDecrypt(key, iv, message.ciphertext, associatedDataFor(state, message.header));
}

/** Double Ratchet §3.5 SkipMessageKeys (the MAX_SKIP check is done before, without allocating). */
async function skipMessageKeys(
  st: Mutable<RatchetState>,
  until: number,
  now: number,
  skipped: SkippedMessageKey[],
): Promise<void> {
  if (st.recvChainKey === null || st.dhRemote === null) return;
  let chain = st.recvChainKey;
  while (st.recvN < until) {
    const step = await kdfCk(chain);
    skipped.push({ dh: st.dhRemote, n: st.recvN, messageKey: step.messageKey, storedAt: now });
    chain = step.chainKey;
    st.recvN += 1;
  }
  st.recvChainKey = chain;
}

/** Double Ratchet §3.5 DHRatchet. */
async function dhRatchet(st: Mutable<RatchetState>, remote: Uint8Array, env: ProtocolEnv): Promise<void> {
  if (st.dhRemote !== null) {
    st.previousRemoteKeyTags = [...st.previousRemoteKeyTags, remoteKeyTag(st.dhRemote)].slice(
      -RATCHET_LIMITS.maxPreviousRemoteKeys,
    );
    // The peer ratcheted past one of our keys, so it has processed at least one of our messages.
    st.peerConfirmed = true;
  }
  st.prevSendN = st.sendN;
  st.sendN = 0;
  st.recvN = 0;
  st.dhRemote = remote;
  const receiving = await kdfRk(st.rootKey, await x25519(st.dhSelf.privateKey, remote));
  const dhSelf = await x25519KeyPairFromSeed(env.rng(32));
  const sending = await kdfRk(receiving.rootKey, await x25519(dhSelf.privateKey, remote));
  st.recvChainKey = receiving.chainKey;
  st.dhSelf = dhSelf;
  st.rootKey = sending.rootKey;
  st.sendChainKey = sending.chainKey;
}

/**
 * Double Ratchet §3.5 MAX_SKIP, checked before any key is derived: an absurd jump is rejected
 * in constant memory (security brief §4).
 */
function checkSkipBudget(state: RatchetState, header: RatchetHeader): void {
  const budget = RATCHET_LIMITS.maxSkip;
  if (sameKey(state.dhRemote, header.dh)) {
    if (header.n - state.recvN > budget)
      throw new LimitError(`message number jumps ${header.n - state.recvN} ahead, over the cap of ${budget}`);
    return;
  }
  const rest = state.recvChainKey === null ? 0 : Math.max(0, header.pn - state.recvN);
  if (rest + header.n > budget)
    throw new LimitError(`message would skip ${rest + header.n} keys, over the cap of ${budget}`);
}

/**
 * Double Ratchet §3.4 RatchetDecrypt. Throws ReplayError for a message whose key was already
 * used (or expired), LimitError for an absurd skip, DowngradeError / DecodeError for a bad
 * version, DecryptError when authentication fails. The input state is never changed.
 */
export async function ratchetDecrypt(
  state: RatchetState,
  message: RatchetMessage,
  env: ProtocolEnv,
): Promise<{ state: RatchetState; plaintext: Uint8Array }> {
  const header = message.header;
  checkHeaderVersion(state, header);
  const now = env.now();
  const skipped = unexpired(state.skipped, now);

  // §3.5 TrySkippedMessageKeys: a late message whose key was kept.
  const index = skipped.findIndex((k) => k.n === header.n && constantTimeEqual(k.dh, header.dh));
  const found = skipped[index];
  if (found !== undefined) {
    const plaintext = await openWith(state, found.messageKey, message);
    skipped.splice(index, 1); // used keys are deleted
    return { state: { ...state, skipped }, plaintext };
  }

  // Replay: the key for this position was used (and deleted) or has expired.
  if (sameKey(state.dhRemote, header.dh) && header.n < state.recvN) {
    throw new ReplayError(`message ${header.n} of the current chain was already received or its key has expired`);
  }
  const tag = remoteKeyTag(header.dh);
  if (state.previousRemoteKeyTags.some((t) => constantTimeEqual(t, tag))) {
    throw new ReplayError(`message ${header.n} belongs to an earlier chain and its key is gone`);
  }
  checkSkipBudget(state, header);

  const st: Mutable<RatchetState> = { ...state };
  if (!sameKey(state.dhRemote, header.dh)) {
    await skipMessageKeys(st, header.pn, now, skipped);
    await dhRatchet(st, header.dh, env);
  }
  await skipMessageKeys(st, header.n, now, skipped);
  if (st.recvChainKey === null) throw new ProtocolStateError('no receiving chain');
  const { chainKey, messageKey } = await kdfCk(st.recvChainKey);
  // Authenticate before anything is kept: on DecryptError nothing of `st` escapes.
  const plaintext = await openWith(state, messageKey, message);
  st.recvChainKey = chainKey;
  st.recvN += 1;
  // Count cap: the oldest skipped keys go first.
  st.skipped = skipped.slice(-RATCHET_LIMITS.maxStoredSkippedKeys);
  return { state: st, plaintext };
}
