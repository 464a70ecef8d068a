/**
 * X3DH key agreement (Signal, "The X3DH Key Agreement Protocol", revision 1) with X25519,
 * HKDF-SHA-256 and the Sealdesk transcript (docs/PROTOCOL.md §5). Only the DH part lives here;
 * first-contact.ts builds sessions on it.
 *
 *   DH1 = DH(IKA, SPKB)  DH2 = DH(EKA, IKB)  DH3 = DH(EKA, SPKB)  DH4 = DH(EKA, OPKB) (optional)
 *   SK  = HKDF(salt = 32 zero bytes, ikm = F || DH1 || DH2 || DH3 [|| DH4],
 *              info = "sealdesk/v2/x3dh" || 0x00 || transcript, L = 32)          (X3DH §2.2, §3.3)
 *   AD  = "sealdesk/v2/x3dh-ad" || 0x00 || transcript                          (X3DH §3.3)
 *
 * The transcript holds IKA, EKA, IKB, SPKB, OPKB, their ids, the conversation id, both device
 * ids, the account id and account key, and the device list version and hash, so a relay that swaps
 * the visitor's key (F2), a prekey, the list the visitor used or the business it pinned (issue #17
 * item 3, unknown key-share) makes the two sides derive different keys.
 */
import { concatBytes, sha256, hkdfSha256, x25519, type X25519KeyPair } from '../../crypto/index.js';
import { UsageError } from '../../errors/index.js';
import { encode } from '../../wire/index.js';
import { labelInfo, SESSION_LABELS, sessionLabelled } from './session-labels.js';
import { type FirstContactHeader, type X3dhTranscript, x3dhTranscriptCodec } from './x3dh-codec.js';

/** X3DH §2.2: for X25519, F is 32 0xFF bytes (domain separation from XEdDSA). */
const F = new Uint8Array(32).fill(0xff);
const ZERO_SALT = new Uint8Array(32);
export const SESSION_ID_BYTES = 16;

export interface X3dhResult {
  readonly sharedSecret: Uint8Array;
  readonly associatedData: Uint8Array;
  readonly sessionId: Uint8Array;
}

async function finish(transcript: X3dhTranscript, dhs: readonly Uint8Array[]): Promise<X3dhResult> {
  const encoded = encode(x3dhTranscriptCodec, transcript);
  const info = concatBytes(labelInfo(SESSION_LABELS.x3dh), new Uint8Array([0]), encoded);
  const associatedData = sessionLabelled(SESSION_LABELS.x3dhAd, encoded);
  const [sharedSecret, sessionId] = await Promise.all([
    hkdfSha256(concatBytes(F, ...dhs), ZERO_SALT, info, 32),
    sessionIdOf(transcript.initiatorEphemeralKey),
  ]);
  return { sharedSecret, associatedData, sessionId };
}

/** A public 16-byte handle naming one session: SHA-256("sealdesk/v2/session-id" || 0 || EKA)[0..16]. */
export async function sessionIdOf(ephemeralKey: Uint8Array): Promise<Uint8Array> {
  return (await sha256(sessionLabelled(SESSION_LABELS.sessionId, ephemeralKey))).slice(0, SESSION_ID_BYTES);
}

/** What the initiator knows about the responder (from the verified device list and prekey bundle). */
export interface X3dhResponderPublic {
  readonly identityKey: Uint8Array;
  readonly signedPrekey: Uint8Array;
  readonly signedPrekeyId: number;
  readonly oneTimePrekey: { readonly id: number; readonly publicKey: Uint8Array } | undefined;
}

export interface X3dhContext {
  readonly conversationId: X3dhTranscript['conversationId'];
  readonly initiatorId: X3dhTranscript['initiatorId'];
  readonly responderId: X3dhTranscript['responderId'];
  /** The account of the device list and the account key (AIK) that signs it (issue #17 item 3). */
  readonly accountId: X3dhTranscript['accountId'];
  readonly accountKey: Uint8Array;
  readonly deviceListVersion: number;
  readonly deviceListHash: Uint8Array;
}

/** X3DH §3.3, initiator side. InvalidKeyError if any DH output is all zero (low-order key). */
export async function x3dhInitiate(
  identity: X25519KeyPair,
  ephemeral: X25519KeyPair,
  responder: X3dhResponderPublic,
  context: X3dhContext,
): Promise<X3dhResult & { header: FirstContactHeader }> {
  // The DHs are independent: run together, kept in the order DH1, DH2, DH3 [, DH4].
  const dhs = await Promise.all([
    x25519(identity.privateKey, responder.signedPrekey),
    x25519(ephemeral.privateKey, responder.identityKey),
    x25519(ephemeral.privateKey, responder.signedPrekey),
    ...(responder.oneTimePrekey === undefined ? [] : [x25519(ephemeral.privateKey, responder.oneTimePrekey.publicKey)]),
  ]);
  const header: FirstContactHeader = {
    initiatorIdentityKey: identity.publicKey,
    initiatorEphemeralKey: ephemeral.publicKey,
    signedPrekeyId: responder.signedPrekeyId,
    oneTimePrekeyId: responder.oneTimePrekey?.id,
    deviceListVersion: context.deviceListVersion,
    deviceListHash: context.deviceListHash,
  };
  const result = await finish(
    transcriptOf(header, context, responder.identityKey, responder.signedPrekey, responder.oneTimePrekey?.publicKey),
    dhs,
  );
  return { ...result, header };
}

/** X3DH §3.4, responder side: the same transcript from the received header and its own keys. */
export async function x3dhRespond(
  identity: X25519KeyPair,
  signedPrekey: X25519KeyPair,
  oneTimePrekey: X25519KeyPair | undefined,
  header: FirstContactHeader,
  context: X3dhContext,
): Promise<X3dhResult> {
  if ((oneTimePrekey === undefined) !== (header.oneTimePrekeyId === undefined)) {
    throw new UsageError('the one-time prekey must be given exactly when the header names one');
  }
  // The DHs are independent: run together, kept in the order DH1, DH2, DH3 [, DH4].
  const dhs = await Promise.all([
    x25519(signedPrekey.privateKey, header.initiatorIdentityKey),
    x25519(identity.privateKey, header.initiatorEphemeralKey),
    x25519(signedPrekey.privateKey, header.initiatorEphemeralKey),
    ...(oneTimePrekey === undefined ? [] : [x25519(oneTimePrekey.privateKey, header.initiatorEphemeralKey)]),
  ]);
  return finish(
    transcriptOf(header, context, identity.publicKey, signedPrekey.publicKey, oneTimePrekey?.publicKey),
    dhs,
  );
}

function transcriptOf(
  header: FirstContactHeader,
  context: X3dhContext,
  responderIdentityKey: Uint8Array,
  signedPrekey: Uint8Array,
  oneTimePrekey: Uint8Array | undefined,
): X3dhTranscript {
  return {
    conversationId: context.conversationId,
    initiatorId: context.initiatorId,
    responderId: context.responderId,
    initiatorIdentityKey: header.initiatorIdentityKey,
    initiatorEphemeralKey: header.initiatorEphemeralKey,
    responderIdentityKey,
    signedPrekey,
    signedPrekeyId: header.signedPrekeyId,
    oneTimePrekey,
    oneTimePrekeyId: header.oneTimePrekeyId,
    accountId: context.accountId,
    accountKey: context.accountKey,
    deviceListVersion: header.deviceListVersion,
    deviceListHash: header.deviceListHash,
  };
}
