/**
 * Sessions between two devices of one conversation (docs/PROTOCOL.md §5.4–§5.6): X3DH to start
 * (x3dh.ts), the Double Ratchet to continue (ratchet.ts), and the young-session rules:
 * - the initiator repeats its first-contact header in every packet until the responder has
 *   replied (X3DH §3.3 / Signal's PreKey messages), so losing the first message loses nothing;
 * - the responder signs the session's transcript (label || AD) with its device signing key and
 *   attaches that one signature to every packet until the initiator has ratcheted past the reply;
 *   the initiator accepts nothing unsigned before a signed reply verified (security brief F3). The
 *   signature never covers message content, so it does not make what an agent wrote provable to a
 *   third party (issue #17 item 5, docs/THREAT-MODEL.md F3).
 */
import {
  constantTimeEqual,
  ed25519Sign,
  ed25519Verify,
  type Ed25519KeyPair,
  x25519KeyPairFromSeed,
  type X25519KeyPair,
} from '../../crypto/index.js';
import { DecodeError, SignatureError, UsageError } from '../../errors/index.js';
import { encode, type DeviceId } from '../../wire/index.js';
import { SESSION_LABELS, sessionLabelled } from './session-labels.js';
import { type ProtocolEnv, ProtocolStateError, UnauthorisedDeviceError } from '../core/index.js';
import { ratchetDecrypt, ratchetEncrypt } from './ratchet.js';
import type { SessionPacket } from './ratchet-packet-codec.js';
import { initRatchetInitiatorWithKey, initRatchetResponder, type RatchetState } from './ratchet-state.js';
import { type X3dhContext, type X3dhResponderPublic, x3dhInitiate, x3dhRespond } from './x3dh.js';
import { type FirstContactHeader, firstContactHeaderCodec } from './x3dh-codec.js';

export interface PeerSession {
  readonly peerId: DeviceId;
  readonly sessionId: Uint8Array;
  readonly initiator: boolean;
  readonly ratchet: RatchetState;
  /** The first-contact header: the initiator repeats it until the responder replies; the responder keeps it to check repeats. */
  readonly firstContact: FirstContactHeader | null;
  /** Initiator only: the responder's Ed25519 key; its first reply must be signed with it (F3). */
  readonly peerSigningKey: Uint8Array | null;
  /** Initiator only: a signed reply has verified. */
  readonly replyVerified: boolean;
  /** Responder only: its signature over the transcript, made once and attached to every signed reply. */
  readonly replySignature: Uint8Array | null;
  /**
   * The first contact used no one-time prekey (the directory had none, or the relay stripped it):
   * weaker forward secrecy for its first messages; the UI may show it (PROTOCOL §3.3).
   */
  readonly withoutOneTimePrekey: boolean;
}

/** A prekey secret the responder holds (the prekeys layer stores and rotates them). */
export interface PrekeySecret {
  readonly id: number;
  readonly keyPair: X25519KeyPair;
}

/** Starts a session as initiator (X3DH §3.3 + Double Ratchet §3.3 RatchetInitAlice). */
export async function startInitiatorSession(
  identity: X25519KeyPair,
  responder: X3dhResponderPublic & { readonly signingKey: Uint8Array },
  context: X3dhContext,
  env: ProtocolEnv,
): Promise<PeerSession> {
  // Both random draws happen before the first await, in their fixed order (X3DH ephemeral, then
  // the first ratchet key): sessions started together in one Promise.all, called in list order,
  // draw exactly the bytes a one-by-one loop draws, so seeded runs and vectors are unchanged.
  const ephemeralSeed = env.rng(32);
  const ratchetSeed = env.rng(32);
  const [ephemeral, ratchetKey] = await Promise.all([
    x25519KeyPairFromSeed(ephemeralSeed),
    x25519KeyPairFromSeed(ratchetSeed),
  ]);
  const x = await x3dhInitiate(identity, ephemeral, responder, context);
  const ratchet = await initRatchetInitiatorWithKey(
    x.sharedSecret,
    x.associatedData,
    responder.signedPrekey,
    ratchetKey,
  );
  return {
    peerId: context.responderId,
    sessionId: x.sessionId,
    initiator: true,
    ratchet,
    firstContact: x.header,
    peerSigningKey: responder.signingKey,
    replyVerified: false,
    replySignature: null,
    withoutOneTimePrekey: responder.oneTimePrekey === undefined,
  };
}

/** Starts a session as responder from an initial packet (X3DH §3.4 + RatchetInitBob). */
export async function startResponderSession(
  identity: X25519KeyPair,
  signedPrekey: PrekeySecret,
  oneTimePrekey: PrekeySecret | undefined,
  packet: Extract<SessionPacket, { kind: 'initial' }>,
  context: X3dhContext,
): Promise<PeerSession> {
  if (packet.header.signedPrekeyId !== signedPrekey.id)
    throw new UsageError('signed prekey id does not match the header');
  const x = await x3dhRespond(identity, signedPrekey.keyPair, oneTimePrekey?.keyPair, packet.header, context);
  if (!constantTimeEqual(x.sessionId, packet.sessionId))
    throw new DecodeError('session id does not match the first-contact header');
  return {
    peerId: context.initiatorId,
    sessionId: x.sessionId,
    initiator: false,
    ratchet: initRatchetResponder(x.sharedSecret, x.associatedData, signedPrekey.keyPair),
    firstContact: packet.header,
    peerSigningKey: null,
    replyVerified: false,
    replySignature: null,
    withoutOneTimePrekey: packet.header.oneTimePrekeyId === undefined,
  };
}

/** What the responder signs (F3, issue #17 item 5): label || 0 || AD — the transcript only, never content. */
function replySignatureInput(session: PeerSession): Uint8Array {
  return sessionLabelled(SESSION_LABELS.firstReply, session.ratchet.associatedData);
}

/** Encrypts one payload for the peer and wraps it in the right packet kind. */
export async function sealForPeer(
  session: PeerSession,
  plaintext: Uint8Array,
  signer: Ed25519KeyPair | undefined,
): Promise<{ session: PeerSession; packet: SessionPacket }> {
  const { state, message } = await ratchetEncrypt(session.ratchet, plaintext);
  const next: PeerSession = { ...session, ratchet: state };
  const sessionId = session.sessionId;
  if (session.initiator && !session.ratchet.peerConfirmed && session.firstContact !== null) {
    return { session: next, packet: { kind: 'initial', sessionId, header: session.firstContact, message } };
  }
  if (!session.initiator && !session.ratchet.peerConfirmed) {
    if (signer === undefined)
      throw new UsageError('a responder must sign its packets until the initiator has ratcheted (F3)');
    // One signature per session, kept in it: every signed reply carries the same bytes.
    const signature = session.replySignature ?? (await ed25519Sign(signer.privateKey, replySignatureInput(session)));
    return {
      session: { ...next, replySignature: signature },
      packet: { kind: 'signedReply', sessionId, message, signature },
    };
  }
  return { session: next, packet: { kind: 'normal', sessionId, message } };
}

/** Authenticates and decrypts one packet of an existing session. The input session is unchanged on error. */
export async function openFromPeer(
  session: PeerSession,
  packet: SessionPacket,
  env: ProtocolEnv,
): Promise<{ session: PeerSession; plaintext: Uint8Array }> {
  let replyVerified = session.replyVerified;
  if (packet.kind === 'signedReply') {
    if (!session.initiator || session.peerSigningKey === null)
      throw new ProtocolStateError('a signed reply arrived on a session this device answers');
    // F3: the responder device's signing key (from the signed device list) signs the session's transcript.
    if (!(await ed25519Verify(session.peerSigningKey, replySignatureInput(session), packet.signature))) {
      throw new SignatureError('the first reply of this device is not signed by its listed signing key');
    }
    replyVerified = true;
  } else if (packet.kind === 'initial') {
    if (session.initiator)
      throw new ProtocolStateError('a first-contact packet arrived on a session this device started');
    // A repeated header is not covered by the AEAD of this message: it must equal the one the session was made from.
    if (
      session.firstContact === null ||
      !constantTimeEqual(
        encode(firstContactHeaderCodec, packet.header),
        encode(firstContactHeaderCodec, session.firstContact),
      )
    ) {
      throw new DecodeError('the repeated first-contact header differs from the one that started this session');
    }
  } else if (session.initiator && !session.replyVerified) {
    // F3: nothing unsigned is accepted from the responder before its signed reply: the sender
    // is not yet authenticated as the listed device.
    throw new UnauthorisedDeviceError('an unsigned packet arrived before the signed first reply');
  }
  const { state, plaintext } = await ratchetDecrypt(session.ratchet, packet.message, env);
  return { session: { ...session, ratchet: state, replyVerified }, plaintext };
}
