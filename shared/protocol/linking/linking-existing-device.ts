/**
 * Device linking, the existing device's side (docs/PROTOCOL.md §10.5; security brief §3 "New
 * devices"). Pure transitions: each takes the state and returns a new one; hostile input throws a
 * typed error and leaves the state as it was. Nothing is released before the user confirms that
 * both screens show the same code.
 *
 *   1. startExistingDeviceLink     <- scanned QR payload; -> offer to send
 *   2. existingDeviceReceiveReveal <- the new device's reveal (checked against the commitment)
 *                                  -> 6-digit code to show
 *   3. existingDeviceConfirmCode   <- the user's decision. Same codes: the new device entry (for
 *      the next signed device list, directory/device-list.ts), the encrypted grant, and the archive keys
 *      sealed to the new device. Different codes: aborted, linkingMismatch alert, nothing released.
 */
import {
  aesGcmEncrypt,
  constantTimeEqual,
  ED25519_SIGNATURE_BYTES,
  x25519,
  x25519KeyPairFromSeed,
} from '../../crypto/index.js';
import { UsageError } from '../../errors/index.js';
import { decode, encode, type AccountId, type DeviceId, idEquals } from '../../wire/index.js';
import {
  ARCHIVE_GRANT_SCOPES,
  type ArchiveKeyGrant,
  grantArchiveKeys,
  type ArchiveKeyring,
  type SealedBoxSender,
} from '../archive/index.js';
import { type DeviceProfile, validateDisplayName } from '../identity/index.js';
import type { DeviceListChange } from '../directory/index.js';
import { type ProtocolEnv, LinkingAbortedError, ProtocolStateError, type DeviceEntry } from '../core/index.js';
import {
  linkGrantBodyCodec,
  linkGrantCodec,
  linkOfferCodec,
  linkPayloadCodec,
  linkRevealCodec,
} from './linking-codec.js';
import { LinkingMismatchError } from './linking-errors.js';
import { abortLink, requirePhase } from './linking-guards.js';
import { type ExistingDeviceLinkState, LINK_PHASES, LINK_STATE_VERSION, type LinkStep } from './linking-state.js';
import { grantAad, linkChannel, linkCode, linkCommitment, linkTranscript } from './linking-transcript.js';

/** The account as this device knows it from its verified device list. */
export interface LinkAccount {
  readonly accountId: AccountId;
  /** The AIK public key (the pinned one). */
  readonly accountKey: Uint8Array;
}

/** This device's public identity (DeviceKeys of identity/device-keys.ts fits). */
export interface ExistingDeviceIdentity {
  readonly deviceId: DeviceId;
  readonly signing: { readonly publicKey: Uint8Array };
}

/** Step 1: parses the scanned (or typed) payload and makes the offer. */
export async function startExistingDeviceLink(
  env: ProtocolEnv,
  payloadBytes: Uint8Array,
  account: LinkAccount,
  self: ExistingDeviceIdentity,
): Promise<LinkStep<ExistingDeviceLinkState> & { readonly offer: Uint8Array }> {
  const payload = decode(linkPayloadCodec, payloadBytes, 'linkPayload');
  if (!idEquals(payload.accountId, account.accountId)) {
    throw new LinkingAbortedError(
      'the link code belongs to another account: sign the new device in to this account first',
    );
  }
  const ephemeral = await x25519KeyPairFromSeed(env.rng(32));
  const offer = encode(linkOfferCodec, {
    linkId: payload.linkId,
    accountKey: account.accountKey,
    deviceId: self.deviceId,
    signingKey: self.signing.publicKey,
    ephemeralKey: ephemeral.publicKey,
  });
  const state: ExistingDeviceLinkState = {
    version: LINK_STATE_VERSION,
    side: 'existing',
    phase: LINK_PHASES.awaitingReveal,
    accountId: account.accountId,
    linkId: payload.linkId,
    startedAt: env.now(),
    payload: encode(linkPayloadCodec, payload),
    commitment: payload.commitment,
    offer,
    ephemeral,
    selfDeviceId: self.deviceId,
  };
  return { state, alerts: [], offer };
}

/**
 * Step 2: checks the reveal against the commitment of the QR payload. A reveal that does not
 * match was substituted in transit: LinkingMismatchError (with the linkingMismatch alert), state
 * unchanged — the genuine reveal can still arrive, a forged one never matches.
 */
export async function existingDeviceReceiveReveal(
  state: ExistingDeviceLinkState,
  env: ProtocolEnv,
  revealBytes: Uint8Array,
): Promise<LinkStep<ExistingDeviceLinkState> & { readonly code: string }> {
  const s = requirePhase(state, LINK_PHASES.awaitingReveal, env);
  const reveal = decode(linkRevealCodec, revealBytes, 'linkReveal');
  if (!constantTimeEqual(reveal.linkId, s.linkId))
    throw new ProtocolStateError('link reveal belongs to another link attempt');
  const canonical = encode(linkRevealCodec, reveal);
  // Commit-then-reveal (RFC 6189 §4.4.1.1): the reveal must hash to the commitment shown in the QR.
  if (!constantTimeEqual(await linkCommitment(canonical), s.commitment)) {
    throw new LinkingMismatchError('the new device’s keys do not match its code (substituted in transit)');
  }
  if (idEquals(reveal.deviceId, s.selfDeviceId)) throw new ProtocolStateError('a device cannot link itself');
  // RFC 7748 §6.1: x25519() refuses a low-order ephemeral key (InvalidKeyError). The identity key
  // the archive keys will be sealed to is checked the same way now, before any code is shown.
  const shared = await x25519(s.ephemeral.privateKey, reveal.ephemeralKey);
  await x25519(s.ephemeral.privateKey, reveal.dhIdentityKey);
  const transcript = await linkTranscript(s.payload, s.offer, canonical);
  const channel = await linkChannel(shared, transcript);
  const code = await linkCode(transcript);
  const next: ExistingDeviceLinkState = {
    version: s.version,
    side: 'existing',
    phase: LINK_PHASES.awaitingConfirmation,
    accountId: s.accountId,
    linkId: s.linkId,
    startedAt: s.startedAt,
    transcript,
    code,
    channelKey: channel.key,
    channelIv: channel.iv,
    selfDeviceId: s.selfDeviceId,
    newDevice: { deviceId: reveal.deviceId, signingKey: reveal.signingKey, dhIdentityKey: reveal.dhIdentityKey },
  };
  return { state: next, alerts: [], code };
}

/** The user's answer to "do both screens show the same code?". */
export type LinkDecision =
  | { readonly codesMatch: false }
  | {
      readonly codesMatch: true;
      /** Agent, name, kind and role of the new device's entry. */
      readonly profile: DeviceProfile;
      /** This device's id and signing key pair, to sign the archive key grants. */
      readonly self: SealedBoxSender;
      /** This device's archive keyring: every epoch is sealed to the new device. Undefined: none yet. */
      readonly keyring: ArchiveKeyring | undefined;
    };

/** What a confirmed link releases. Deliver `grant` and `archiveGrants` to the new device. */
export interface LinkRelease {
  readonly entry: DeviceEntry;
  /** For the AIK holder: authoriseChange / applyChange, then createNextDeviceList (directory/device-list.ts). */
  readonly change: DeviceListChange;
  readonly grant: Uint8Array;
  readonly archiveGrants: readonly ArchiveKeyGrant[];
}

/**
 * Step 3. Codes differ: aborted with the linkingMismatch alert, nothing released. Codes equal:
 * the release (entry, grant, archive keys sealed to the new device's committed dhIdentityKey).
 */
export async function existingDeviceConfirmCode(
  state: ExistingDeviceLinkState,
  env: ProtocolEnv,
  decision: LinkDecision,
): Promise<LinkStep<ExistingDeviceLinkState> & { readonly release: LinkRelease | undefined }> {
  const s = requirePhase(state, LINK_PHASES.awaitingConfirmation, env);
  if (!decision.codesMatch)
    return {
      ...abortLink<ExistingDeviceLinkState>(s, 'the codes on the two screens differ', true),
      release: undefined,
    };
  if (!idEquals(decision.self.deviceId, s.selfDeviceId))
    throw new UsageError('the signing device is not the device that started the link');
  const { profile } = decision;
  const entry: DeviceEntry = {
    deviceId: s.newDevice.deviceId,
    agentId: new Uint8Array(profile.agentId),
    agentName: validateDisplayName(profile.agentName),
    kind: profile.kind,
    role: profile.role,
    signingKey: new Uint8Array(s.newDevice.signingKey),
    dhIdentityKey: new Uint8Array(s.newDevice.dhIdentityKey),
    // PROTOCOL §10.5 step 6–7 (issue #17 item 2): this device sponsors the new one; the new device
    // signs its proof of possession once it has the grant (it learns its agent id there).
    sponsorId: s.selfDeviceId,
    proofOfPossession: new Uint8Array(ED25519_SIGNATURE_BYTES),
  };
  const archiveGrants =
    decision.keyring === undefined
      ? []
      : await grantArchiveKeys(env, decision.keyring, decision.self, [entry], ARCHIVE_GRANT_SCOPES.all);
  const body = encode(linkGrantBodyCodec, { accountId: s.accountId, entry, archiveGrantCount: archiveGrants.length });
  const ciphertext = await aesGcmEncrypt(s.channelKey, s.channelIv, body, grantAad(s.transcript));
  const grant = encode(linkGrantCodec, { linkId: s.linkId, ciphertext });
  const next: ExistingDeviceLinkState = {
    version: s.version,
    side: 'existing',
    phase: LINK_PHASES.released,
    accountId: s.accountId,
    linkId: s.linkId,
    startedAt: s.startedAt,
    entry,
  };
  return {
    state: next,
    alerts: [],
    release: { entry, change: { kind: 'add-device', device: entry }, grant, archiveGrants },
  };
}

/** The user cancelled: final, no alert. */
export function cancelExistingDeviceLink(
  state: ExistingDeviceLinkState,
  reason: string,
): LinkStep<ExistingDeviceLinkState> {
  return abortLink(state, reason, false);
}
