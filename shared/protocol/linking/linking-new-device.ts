/**
 * Device linking, the new device's side (docs/PROTOCOL.md §10.5; security brief §3 "New
 * devices"). Pure transitions: each takes the state and returns a new one; hostile input throws a
 * typed error and leaves the state as it was.
 *
 *   1. startNewDeviceLink     <- the scanned (or typed) QR payload of the existing device
 *                             -> hello to send (this device's keys, proof of possession)
 *   2. newDeviceReceiveOffer  <- the existing device's offer, checked against the commitment of the
 *                                QR payload -> 6-digit code to show
 *   3. newDeviceConfirmCode   -> the user says whether both screens show the same code
 *   4. newDeviceReceiveGrant  -> linked: the device entry, the pinned account key, the sponsor
 *      (whose signing key then authenticates the archive key grants, archive/archive-distribution.ts)
 */
import { aesGcmDecrypt, constantTimeEqual, x25519, x25519KeyPairFromSeed } from '../../crypto/index.js';
import { DecryptError } from '../../errors/index.js';
import { decode, encode, type DeviceId, idEquals } from '../../wire/index.js';
import { proveDevicePossession, validateDisplayName } from '../identity/index.js';
import { type DeviceKind, type ProtocolEnv, ProtocolStateError } from '../core/index.js';
import {
  linkGrantBodyCodec,
  linkGrantCodec,
  linkHelloCodec,
  linkOfferCodec,
  linkPayloadCodec,
} from './linking-codec.js';
import { LinkingMismatchError } from './linking-errors.js';
import { abortLink, requirePhase } from './linking-guards.js';
import { LINK_PHASES, LINK_STATE_VERSION, type LinkStep, type NewDeviceLinkState } from './linking-state.js';
import { grantAad, linkChannel, linkCode, linkCommitment, linkTranscript } from './linking-transcript.js';

/** The new device's own keys (DeviceKeys of identity/device-keys.ts fits); the signing key signs the proof. */
export interface NewDeviceIdentity {
  readonly deviceId: DeviceId;
  readonly signing: { readonly publicKey: Uint8Array; readonly privateKey: CryptoKey };
  readonly identityDh: { readonly publicKey: Uint8Array };
}

/**
 * Step 1: parses the payload read from the existing device's screen (the authentic channel: it
 * names the account and commits to the account key) and makes the hello, with a fresh ephemeral
 * key and the proof of possession of this device's signing key.
 */
export async function startNewDeviceLink(
  env: ProtocolEnv,
  payloadBytes: Uint8Array,
  device: NewDeviceIdentity,
  kind: DeviceKind,
): Promise<LinkStep<NewDeviceLinkState> & { readonly hello: Uint8Array }> {
  const payload = decode(linkPayloadCodec, payloadBytes, 'linkPayload');
  const ephemeral = await x25519KeyPairFromSeed(env.rng(32));
  const keys = {
    deviceId: device.deviceId,
    signingKey: device.signing.publicKey,
    dhIdentityKey: device.identityDh.publicKey,
    kind,
  };
  // PROTOCOL §4.2 (issue #17 item 2): the proof of possession for the entry the existing device will
  // list, its own kind included (§10.2: the existing device cannot know it).
  const proofOfPossession = await proveDevicePossession(device, payload.accountId, payload.agentId, kind);
  const hello = encode(linkHelloCodec, {
    linkId: payload.linkId,
    ephemeralKey: ephemeral.publicKey,
    ...keys,
    proofOfPossession,
  });
  const state: NewDeviceLinkState = {
    version: LINK_STATE_VERSION,
    side: 'new',
    phase: LINK_PHASES.awaitingOffer,
    accountId: payload.accountId,
    linkId: payload.linkId,
    startedAt: env.now(),
    payload: encode(linkPayloadCodec, payload),
    commitment: payload.commitment,
    hello,
    ephemeral,
    device: keys,
    agentId: payload.agentId,
  };
  return { state, alerts: [], hello };
}

/**
 * Step 2: checks the offer against the commitment of the QR payload. An offer that does not match
 * was substituted in transit: LinkingMismatchError (with the linkingMismatch alert), state
 * unchanged — the genuine offer can still arrive, a forged one never matches. Returns the code.
 */
export async function newDeviceReceiveOffer(
  state: NewDeviceLinkState,
  env: ProtocolEnv,
  offerBytes: Uint8Array,
): Promise<LinkStep<NewDeviceLinkState> & { readonly code: string }> {
  const s = requirePhase(state, LINK_PHASES.awaitingOffer, env);
  const offer = decode(linkOfferCodec, offerBytes, 'linkOffer');
  if (!constantTimeEqual(offer.linkId, s.linkId))
    throw new ProtocolStateError('link offer belongs to another link attempt');
  const canonical = encode(linkOfferCodec, offer);
  // Commit-then-reveal (RFC 6189 §4.4.1.1): the offer must hash to the commitment shown in the QR.
  if (!constantTimeEqual(await linkCommitment(canonical), s.commitment)) {
    throw new LinkingMismatchError('the existing device’s keys do not match its code (substituted in transit)');
  }
  if (idEquals(offer.deviceId, s.device.deviceId))
    throw new ProtocolStateError('link offer names this device as the sponsor');
  // RFC 7748 §6.1: x25519() refuses a low-order ephemeral key (InvalidKeyError).
  const shared = await x25519(s.ephemeral.privateKey, offer.ephemeralKey);
  const transcript = await linkTranscript(s.payload, s.hello, canonical);
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
    agentId: s.agentId,
    accountKey: offer.accountKey,
    sponsor: { deviceId: offer.deviceId, signingKey: offer.signingKey },
  };
  return { state: next, alerts: [], code };
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
    !constantTimeEqual(entry.dhIdentityKey, s.device.dhIdentityKey) ||
    entry.kind !== s.device.kind
  ) {
    throw new ProtocolStateError('link grant lists keys or a kind other than this device’s');
  }
  // The entry must name the agent this device's proof of possession signed (§10.2).
  if (!constantTimeEqual(entry.agentId, s.agentId))
    throw new ProtocolStateError('link grant lists this device under another agent than the link code');
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
