/**
 * Sealing, signing and opening a team signal (docs/PROTOCOL.md §9.9; layouts in
 * team-signal-codec.ts). A signal is sealed under a key derived from the current archive key
 * (§9.1) for its author device, with a random 96-bit IV, and signed by the author device:
 *
 *   signalKey = HKDF-SHA-256(ikm = archive key, salt = accountId,
 *                            info = "sealdesk/v2/team-signal/key" || 0x00 || u32 epoch || keyId || author[16], L = 32)
 *   signature = Ed25519(author signing key, "sealdesk/v2/team-signal" || 0x00 || signed)
 *
 * The relay names the author of a forwarded signal; the reader trusts it only once the author is in
 * its current verified device list and the signature verifies under that device's key (the author
 * is in the signature, the associated data and the key): the relay cannot forge, alter or
 * re-attribute a signal. Freshness and replay are team-signal-order.ts.
 */
import {
  aesGcmDecrypt,
  aesGcmEncrypt,
  concatBytes,
  constantTimeEqual,
  ed25519Sign,
  ed25519Verify,
  hkdfSha256,
} from '../../crypto/index.js';
import { DecryptError, SignatureError } from '../../errors/index.js';
import { type DeviceId, decode, encode, u32 } from '../../wire/index.js';
import { type ProtocolEnv, ProtocolStateError, UnauthorisedDeviceError } from '../core/index.js';
import type { ArchiveKey } from './archive-codec.js';
import { findArchiveDevice } from './archive-device-set.js';
import { type ArchiveKeyring, currentArchiveKey, findArchiveKey } from './archive-keyring.js';
import type { HistoryRecordAuthor } from './archive-record.js';
import type { SealedBoxSender } from './sealed-box.js';
import { TEAM_SIGNAL_LABELS, teamSignalLabelled } from './team-signal-labels.js';
import {
  TEAM_SIGNAL_KINDS,
  TEAM_SIGNAL_SIZES,
  type TeamSignal,
  type TeamSignalBody,
  teamSignalAadCodec,
  teamSignalBlobCodec,
  teamSignalKindOf,
  teamSignalPlaintextCodec,
  teamSignalSignedCodec,
} from './team-signal-codec.js';

async function signalKey(keyring: ArchiveKeyring, key: ArchiveKey, author: DeviceId): Promise<Uint8Array> {
  return hkdfSha256(
    key.key,
    keyring.accountId,
    teamSignalLabelled(TEAM_SIGNAL_LABELS.key, concatBytes(encode(u32, key.epoch), key.keyId, author)),
    32,
  );
}

function signalAad(keyring: ArchiveKeyring, key: ArchiveKey, author: DeviceId): Uint8Array {
  return teamSignalLabelled(
    TEAM_SIGNAL_LABELS.aad,
    encode(teamSignalAadCodec, { accountId: keyring.accountId, epoch: key.epoch, keyId: key.keyId, author }),
  );
}

function signedBytes(keyring: ArchiveKeyring, author: DeviceId, body: TeamSignalBody): Uint8Array {
  return teamSignalLabelled(
    TEAM_SIGNAL_LABELS.signature,
    encode(teamSignalSignedCodec, { accountId: keyring.accountId, author, body }),
  );
}

/**
 * Seals and signs `signal` under the current archive key (§9.1). The author must be listed in the
 * keyring's device list with this signing key (UnauthorisedDeviceError); ArchiveKeyPendingError
 * when no current key is held (then nothing is sent). The keyring is not changed: signals use a
 * key of their own per author (no record usage count, §9.9).
 */
export async function sealTeamSignal(
  keyring: ArchiveKeyring,
  env: ProtocolEnv,
  author: SealedBoxSender,
  signal: TeamSignal,
): Promise<Uint8Array> {
  const listed = findArchiveDevice(keyring.devices, author.deviceId);
  if (listed === undefined || !constantTimeEqual(listed.signingKey, author.signing.publicKey)) {
    throw new UnauthorisedDeviceError('the signalling device is not in the verified device list with this signing key');
  }
  const key = currentArchiveKey(keyring);
  const plaintext = encode(teamSignalPlaintextCodec, { ...signal, kind: TEAM_SIGNAL_KINDS[signal.kind] });
  const iv = env.rng(TEAM_SIGNAL_SIZES.iv);
  const ciphertext = await aesGcmEncrypt(
    await signalKey(keyring, key, author.deviceId),
    iv,
    plaintext,
    signalAad(keyring, key, author.deviceId),
  );
  const body: TeamSignalBody = { epoch: key.epoch, keyId: key.keyId, iv, ciphertext };
  const signature = await ed25519Sign(author.signing.privateKey, signedBytes(keyring, author.deviceId, body));
  return encode(teamSignalBlobCodec, { body, signature });
}

/**
 * Opens a signal the relay says `author` sent (§9.9). Checks, in order: strict decoding
 * (DecodeError: wrong size, version, suite); `author` in `current`, the reader's current verified
 * device list (UnauthorisedDeviceError: unknown or removed device); the epoch within the keyring's
 * current range [changeVersion, listVersion] (ProtocolStateError: an older key, from before the
 * last device-set change, or one not applied yet); the signature under the author's key
 * (SignatureError: forged or re-attributed); the epoch key held (ProtocolStateError); AES-GCM
 * (DecryptError); the plaintext (DecodeError).
 */
export async function openTeamSignal(
  keyring: ArchiveKeyring,
  current: readonly HistoryRecordAuthor[],
  author: DeviceId,
  blob: Uint8Array,
): Promise<TeamSignal> {
  const { body, signature } = decode(teamSignalBlobCodec, blob, 'teamSignal');
  const listed = current.find((a) => constantTimeEqual(a.deviceId, author));
  if (listed === undefined) throw new UnauthorisedDeviceError('team signal author is not in the current device list');
  if (body.epoch < keyring.changeVersion || body.epoch > keyring.listVersion) {
    throw new ProtocolStateError(
      `team signal of epoch ${body.epoch} is outside the current epochs ${keyring.changeVersion}..${keyring.listVersion}`,
    );
  }
  if (!(await ed25519Verify(listed.signingKey, signedBytes(keyring, author, body), signature))) {
    throw new SignatureError('team signal signature does not verify with its author’s device key');
  }
  const key = findArchiveKey(keyring, body.epoch, body.keyId);
  if (key === undefined) throw new ProtocolStateError(`this device holds no archive key for epoch ${body.epoch}`);
  let plaintext: Uint8Array;
  try {
    plaintext = await aesGcmDecrypt(
      await signalKey(keyring, key, author),
      body.iv,
      body.ciphertext,
      signalAad(keyring, key, author),
    );
  } catch (error) {
    if (error instanceof DecryptError)
      throw new DecryptError('team signal does not authenticate (tampered)', { cause: error });
    throw error;
  }
  const wire = decode(teamSignalPlaintextCodec, plaintext, 'teamSignalPlaintext');
  return {
    conversationId: wire.conversationId,
    kind: teamSignalKindOf(wire.kind),
    at: wire.at,
    sequence: wire.sequence,
  };
}
