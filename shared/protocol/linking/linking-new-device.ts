/**
 * Device linking, the new device's side (docs/PROTOCOL.md §10.5; security brief §3 "New
 * devices"). Pure transitions: each takes the state and returns a new one; hostile input throws a
 * typed error and leaves the state as it was.
 *
 *   1. startNewDeviceLink     -> QR payload (account id, link id, commitment to the reveal)
 *   2. newDeviceReceiveOffer  -> reveal to send, 6-digit code to show
 *   3. newDeviceConfirmCode   -> the user says whether both screens show the same code
 *   4. newDeviceReceiveGrant  -> linked: the device entry, the pinned account key, the sponsor
 *      (whose signing key then authenticates the archive key grants, archive/archive-distribution.ts)
 */
import { aesGcmDecrypt, constantTimeEqual, x25519, x25519KeyPairFromSeed } from '../../crypto/index.js';
import { DecryptError, UsageError } from '../../errors/index.js';
import { decode, encode, type AccountId, type DeviceId, idEquals } from '../../wire/index.js';
import { type DeviceKeys, proveDevicePossession, validateDisplayName } from '../identity/index.js';
import { type ProtocolEnv, ProtocolStateError } from '../core/index.js';
import {
  LINK_ID_BYTES,
  linkGrantBodyCodec,
  linkGrantCodec,
  linkOfferCodec,
  linkPayloadCodec,
  linkRevealCodec,
} from './linking-codec.js';
import { LinkingMismatchError } from './linking-errors.js';
import { abortLink, requirePhase } from './linking-guards.js';
import { LINK_PHASES, LINK_STATE_VERSION, type LinkStep, type NewDeviceLinkState } from './linking-state.js';
import { grantAad, linkChannel, linkCode, linkCommitment, linkTranscript } from './linking-transcript.js';

/** The new device's own public keys (DeviceKeys of identity/device-keys.ts fits). */
export interface NewDeviceIdentity {
  readonly deviceId: DeviceId;
  readonly signing: { readonly publicKey: Uint8Array };
  readonly identityDh: { readonly publicKey: Uint8Array };
}

/** Step 1: makes the QR payload. The reveal (with a fresh ephemeral key and nonce) is committed to now. */
export async function startNewDeviceLink(
  env: ProtocolEnv,
  accountId: AccountId,
  device: NewDeviceIdentity,
): Promise<LinkStep<NewDeviceLinkState> & { readonly payload: Uint8Array }> {
  const linkId = env.rng(LINK_ID_BYTES);
  const ephemeral = await x25519KeyPairFromSeed(env.rng(32));
  const keys = {
    deviceId: device.deviceId,
    signingKey: device.signing.publicKey,
    dhIdentityKey: device.identityDh.publicKey,
  };
  const reveal = encode(linkRevealCodec, { linkId, ephemeralKey: ephemeral.publicKey, nonce: env.rng(32), ...keys });
  const payload = encode(linkPayloadCodec, { accountId, linkId, commitment: await linkCommitment(reveal) });
  const state: NewDeviceLinkState = {
    version: LINK_STATE_VERSION,
    side: 'new',
    phase: LINK_PHASES.awaitingOffer,
    accountId,
    linkId,
    startedAt: env.now(),
    payload,
    reveal,
    ephemeral,
    device: keys,
  };
  return { state, alerts: [], payload };
}

/** Step 2: takes the existing device's offer; returns the reveal to send and the code to show. */
export async function newDeviceReceiveOffer(
  state: NewDeviceLinkState,
  env: ProtocolEnv,
  offerBytes: Uint8Array,
): Promise<LinkStep<NewDeviceLinkState> & { readonly reveal: Uint8Array; readonly code: string }> {
  const s = requirePhase(state, LINK_PHASES.awaitingOffer, env);
  const offer = decode(linkOfferCodec, offerBytes, 'linkOffer');
  if (!constantTimeEqual(offer.linkId, s.linkId))
    throw new ProtocolStateError('link offer belongs to another link attempt');
  if (idEquals(offer.deviceId, s.device.deviceId))
    throw new ProtocolStateError('link offer names this device as the sponsor');
  // RFC 7748 §6.1: x25519() refuses a low-order ephemeral key (InvalidKeyError).
  const shared = await x25519(s.ephemeral.privateKey, offer.ephemeralKey);
  const transcript = await linkTranscript(s.payload, encode(linkOfferCodec, offer), s.reveal);
  const channel = await linkChannel(shared, transcript);
  const code = await linkCode(transcript);
  const next: NewDeviceLinkState = {
    version: s.version,
    side: 'new',
    phase: LINK_PHASES.awaitingConfirmation,
    accountId: s.accountId,
    linkId: s.linkId,
    startedAt: s.startedAt,
    transcript,
    code,
    channelKey: channel.key,
    channelIv: channel.iv,
    device: s.device,
    accountKey: offer.accountKey,
    sponsor: { deviceId: offer.deviceId, signingKey: offer.signingKey },
  };
  return { state: next, alerts: [], reveal: s.reveal, code };
}

/**
 * Step 3: the user compared the codes on both screens. Different codes mean someone is in the
 * middle: the attempt is aborted with a linkingMismatch alert and nothing from it is accepted.
 */
export function newDeviceConfirmCode(
  state: NewDeviceLinkState,
  env: ProtocolEnv,
  codesMatch: boolean,
): LinkStep<NewDeviceLinkState> {
  const s = requirePhase(state, LINK_PHASES.awaitingConfirmation, env);
  if (!codesMatch) return abortLink<NewDeviceLinkState>(s, 'the codes on the two screens differ', true);
  return { state: { ...s, phase: LINK_PHASES.confirmed }, alerts: [] };
}

/**
 * Step 4: opens the existing device's grant. A grant that does not decrypt under the agreed
 * channel key means the two devices did not agree on the keys (someone is in the middle):
 * LinkingMismatchError, state unchanged (the caller may abort with cancelNewDeviceLink).
 */
export async function newDeviceReceiveGrant(
  state: NewDeviceLinkState,
  env: ProtocolEnv,
  grantBytes: Uint8Array,
): Promise<LinkStep<NewDeviceLinkState>> {
  const s = requirePhase(state, LINK_PHASES.confirmed, env);
  const grant = decode(linkGrantCodec, grantBytes, 'linkGrant');
  if (!constantTimeEqual(grant.linkId, s.linkId))
    throw new ProtocolStateError('link grant belongs to another link attempt');
  let plaintext: Uint8Array;
  try {
    plaintext = await aesGcmDecrypt(s.channelKey, s.channelIv, grant.ciphertext, grantAad(s.transcript));
  } catch (error) {
    if (error instanceof DecryptError)
      throw new LinkingMismatchError('the grant is not from the device that showed the code', { cause: error });
    throw error;
  }
  const body = decode(linkGrantBodyCodec, plaintext, 'linkGrantBody');
  const { entry } = body;
  if (!idEquals(body.accountId, s.accountId)) throw new ProtocolStateError('link grant is for another account');
  if (
    !idEquals(entry.deviceId, s.device.deviceId) ||
    !constantTimeEqual(entry.signingKey, s.device.signingKey) ||
    !constantTimeEqual(entry.dhIdentityKey, s.device.dhIdentityKey)
  ) {
    throw new ProtocolStateError('link grant lists keys other than this device’s');
  }
  // PROTOCOL §4.2, §10.5 step 6 (issue #17 item 2): the device that showed the code sponsors this one.
  if (!idEquals(entry.sponsorId, s.sponsor.deviceId)) {
    throw new ProtocolStateError('link grant names a sponsor other than the device that ran the link');
  }
  validateDisplayName(entry.agentName);
  const next: NewDeviceLinkState = {
    version: s.version,
    side: 'new',
    phase: LINK_PHASES.linked,
    accountId: s.accountId,
    linkId: s.linkId,
    startedAt: s.startedAt,
    accountKey: s.accountKey,
    sponsor: s.sponsor,
    entry,
    archiveGrantCount: body.archiveGrantCount,
  };
  return { state: next, alerts: [] };
}

/** The user cancelled (or the caller gave up after a LinkingMismatchError): final, no alert. */
export function cancelNewDeviceLink(state: NewDeviceLinkState, reason: string): LinkStep<NewDeviceLinkState> {
  return abortLink(state, reason, false);
}

/**
 * PROTOCOL §10.5 step 7 (issue #17 item 2): once linked, this device signs its proof of possession
 * for the entry the grant gave it (its account and agent). Send it to the sponsor, which completes
 * the entry (`listLinkedDevice`, or a change request). UsageError for other keys; ProtocolStateError
 * before the link is complete.
 */
export async function newDeviceProofOfPossession(state: NewDeviceLinkState, keys: DeviceKeys): Promise<Uint8Array> {
  if (state.phase !== LINK_PHASES.linked) throw new ProtocolStateError('the link is not complete');
  if (
    !idEquals(keys.deviceId, state.entry.deviceId) ||
    !constantTimeEqual(keys.signing.publicKey, state.entry.signingKey)
  ) {
    throw new UsageError('these are not the keys of the linked device');
  }
  return proveDevicePossession(keys, state.accountId, state.entry.agentId);
}
