/**
 * Device linking, the existing device's side (docs/PROTOCOL.md §10.5; security brief §3 "New
 * devices"). Pure transitions: each takes the state and returns a new one; hostile input throws a
 * typed error and leaves the state as it was. Nothing is released before the user confirms that
 * both screens show the same code.
 *
 *   1. startExistingDeviceLink    -> QR payload (account id, agent id, link id, commitment to the offer)
 *   2. existingDeviceReceiveHello <- the new device's hello (proof of possession checked)
 *                                 -> the offer to send (the reveal of the commitment), 6-digit code
 *   3. existingDeviceConfirmCode  <- the user's decision. Same codes: the new device entry (for
 *      the next signed device list, directory/device-list.ts), its proof of possession, the
 *      encrypted grant, and the archive keys sealed to the new device. Different codes: aborted,
 *      linkingMismatch alert, nothing released.
 */
import { aesGcmEncrypt, constantTimeEqual, x25519, x25519KeyPairFromSeed } from '../../crypto/index.js';
import { SignatureError, UsageError } from '../../errors/index.js';
import { decode, encode, type AccountId, type DeviceId, ID_BYTES, idEquals } from '../../wire/index.js';
import {
  ARCHIVE_GRANT_SCOPES,
  type ArchiveKeyGrant,
  grantArchiveKeys,
  type ArchiveKeyring,
  type SealedBoxSender,
} from '../archive/index.js';
import { type DeviceProfile, validateDisplayName, verifyProofOfPossession } from '../identity/index.js';
import type { DeviceListChange } from '../directory/index.js';
import { type ProtocolEnv, ProtocolStateError, type DeviceEntry } from '../core/index.js';
import {
  LINK_ID_BYTES,
  LINK_NONCE_BYTES,
  linkGrantBodyCodec,
  linkGrantCodec,
  linkHelloCodec,
  linkOfferCodec,
  linkPayloadCodec,
} from './linking-codec.js';
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

/**
 * Step 1: draws the link id, the ephemeral key and the nonce, encodes the offer and returns the
 * payload to show as a QR code (or typed code): it commits to the offer, which stays here until
 * the new device's hello arrives. `agentId` names the agent the new device will belong to.
 */
export async function startExistingDeviceLink(
  env: ProtocolEnv,
  account: LinkAccount,
  self: ExistingDeviceIdentity,
  agentId: Uint8Array,
): Promise<LinkStep<ExistingDeviceLinkState> & { readonly payload: Uint8Array }> {
  if (agentId.length !== ID_BYTES) throw new UsageError(`agent id must be ${ID_BYTES} bytes, got ${agentId.length}`);
  const linkId = env.rng(LINK_ID_BYTES);
  const ephemeral = await x25519KeyPairFromSeed(env.rng(32));
  const offer = encode(linkOfferCodec, {
    linkId,
    accountKey: account.accountKey,
    deviceId: self.deviceId,
    signingKey: self.signing.publicKey,
    ephemeralKey: ephemeral.publicKey,
    nonce: env.rng(LINK_NONCE_BYTES),
  });
  const payload = encode(linkPayloadCodec, {
    accountId: account.accountId,
    agentId,
    linkId,
    commitment: await linkCommitment(offer),
  });
  const state: ExistingDeviceLinkState = {
    version: LINK_STATE_VERSION,
    side: 'existing',
    phase: LINK_PHASES.awaitingHello,
    accountId: account.accountId,
    linkId,
    startedAt: env.now(),
    selfDeviceId: self.deviceId,
    agentId: new Uint8Array(agentId),
    payload,
    offer,
    ephemeral,
  };
  return { state, alerts: [], payload };
}

/**
 * Step 2: takes the new device's hello, checks its link id and its proof of possession (a
 * SignatureError leaves the state unchanged: the genuine hello can still arrive), and returns the
 * offer to send and the code to show. The relay had to pass on a hello before it sees the offer.
 */
export async function existingDeviceReceiveHello(
  state: ExistingDeviceLinkState,
  env: ProtocolEnv,
  helloBytes: Uint8Array,
): Promise<LinkStep<ExistingDeviceLinkState> & { readonly offer: Uint8Array; readonly code: string }> {
  const s = requirePhase(state, LINK_PHASES.awaitingHello, env);
  const hello = decode(linkHelloCodec, helloBytes, 'linkHello');
  if (!constantTimeEqual(hello.linkId, s.linkId))
    throw new ProtocolStateError('link hello belongs to another link attempt');
  if (idEquals(hello.deviceId, s.selfDeviceId)) throw new ProtocolStateError('a device cannot link itself');
  const newDevice = {
    deviceId: hello.deviceId,
    signingKey: hello.signingKey,
    dhIdentityKey: hello.dhIdentityKey,
    kind: hello.kind,
  };
  const possession = { ...newDevice, agentId: s.agentId, proofOfPossession: hello.proofOfPossession };
  if (!(await verifyProofOfPossession(s.accountId, possession)))
    throw new SignatureError('the new device’s proof of possession of its signing key does not verify');
  // RFC 7748 §6.1: x25519() refuses a low-order ephemeral key (InvalidKeyError). The identity key
  // the archive keys will be sealed to is checked the same way now, before any code is shown.
  const shared = await x25519(s.ephemeral.privateKey, hello.ephemeralKey);
  await x25519(s.ephemeral.privateKey, hello.dhIdentityKey);
  const transcript = await linkTranscript(s.payload, encode(linkHelloCodec, hello), s.offer);
  const channel = await linkChannel(shared, transcript);
  const code = await linkCode(transcript);
  const next: ExistingDeviceLinkState = {
    version: s.version,
    side: 'existing',
    phase: LINK_PHASES.awaitingConfirmation,
    accountId: s.accountId,
    linkId: s.linkId,
    startedAt: s.startedAt,
    selfDeviceId: s.selfDeviceId,
    agentId: s.agentId,
    transcript,
    code,
    channelKey: channel.key,
    channelIv: channel.iv,
    newDevice,
    proofOfPossession: hello.proofOfPossession,
  };
  return { state: next, alerts: [], offer: s.offer, code };
}

/** The user's answer to "do both screens show the same code?". */
export type LinkDecision =
  | { readonly codesMatch: false }
  | {
      readonly codesMatch: true;
      /** Agent, name and role of the new device's entry; the agent must be the payload's (its kind comes from the hello). */
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
 * the release (entry, proof of possession, grant, archive keys sealed to the new device's dhIdentityKey).
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
  if (!constantTimeEqual(profile.agentId, s.agentId))
    throw new UsageError('the profile names another agent than the link code (the new device signed that one)');
  const entry: DeviceEntry = {
    deviceId: s.newDevice.deviceId,
    agentId: new Uint8Array(s.agentId),
    agentName: validateDisplayName(profile.agentName),
    // §10.2: the new device's own kind, from its hello (signed by its proof of possession).
    kind: s.newDevice.kind,
    role: profile.role,
    signingKey: new Uint8Array(s.newDevice.signingKey),
    dhIdentityKey: new Uint8Array(s.newDevice.dhIdentityKey),
    // PROTOCOL §4.2, §10.5 step 6 (issue #17 item 2): this device sponsors the new one, whose proof
    // of possession came in its hello (verified in step 2).
    sponsorId: s.selfDeviceId,
    proofOfPossession: new Uint8Array(s.proofOfPossession),
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
  const change: DeviceListChange = { kind: 'add-device', device: entry };
  return { state: next, alerts: [], release: { entry, change, grant, archiveGrants } };
}

/** The user cancelled: final, no alert. */
export function cancelExistingDeviceLink(
  state: ExistingDeviceLinkState,
  reason: string,
): LinkStep<ExistingDeviceLinkState> {
  return abortLink(state, reason, false);
}
