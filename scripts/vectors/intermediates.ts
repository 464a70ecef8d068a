/**
 * The intermediate values of the vectors, computed from the rng seeds with the formulas of
 * docs/PROTOCOL.md (§5.2 X3DH, §6.1 KDF_RK / KDF_CK / ENCRYPT, §7.4 content key and body, §7.2
 * frame hash) and asserted against the real protocol states: if the code and these formulas part,
 * the generator stops instead of writing vectors that only the code agrees with.
 */
import {
  aesGcmDecrypt,
  concatBytes,
  constantTimeEqual,
  hkdfSha256,
  hmacSha256,
  sha256,
  toHex,
  x25519,
} from '../../shared/crypto/index.js';
import { decode, encode, SUITE_V1, WIRE_VERSION } from '../../shared/wire/index.js';
import {
  type ConversationFrame,
  type ConversationPacket,
  frameCodec,
  keyPacketCodec,
  labelInfo,
  type PeerSession,
  ratchetHeaderCodec,
  SESSION_LABELS,
  sessionLabelled,
  unpad,
} from '../../shared/protocol/index.js';
import type { SeedBook } from './seeds.js';

const ZERO_SALT = new Uint8Array(32);
const F = new Uint8Array(32).fill(0xff);

function same(what: string, a: Uint8Array | null | undefined, b: Uint8Array | null | undefined): void {
  if (a === null || a === undefined || b === null || b === undefined || !constantTimeEqual(a, b))
    throw new Error(`vector intermediates: ${what} differs from the protocol state`);
}

/** PROTOCOL §6.1 KDF_RK. */
export async function kdfRk(
  rootKey: Uint8Array,
  dhOut: Uint8Array,
): Promise<{ rootKey: Uint8Array; chainKey: Uint8Array }> {
  const out = await hkdfSha256(dhOut, rootKey, labelInfo(SESSION_LABELS.ratchetRoot), 64);
  return { rootKey: out.slice(0, 32), chainKey: out.slice(32) };
}

/** PROTOCOL §6.1 KDF_CK. */
export async function kdfCk(chainKey: Uint8Array): Promise<{ chainKey: Uint8Array; messageKey: Uint8Array }> {
  const [messageKey, next] = await Promise.all([
    hmacSha256(chainKey, new Uint8Array([0x01])),
    hmacSha256(chainKey, new Uint8Array([0x02])),
  ]);
  return { chainKey: next, messageKey };
}

async function keyAndIv(ikm: Uint8Array, label: string): Promise<{ key: Uint8Array; iv: Uint8Array }> {
  const out = await hkdfSha256(ikm, ZERO_SALT, new TextEncoder().encode(label), 44);
  return { key: out.slice(0, 32), iv: out.slice(32) };
}

/** Who is who in one X3DH run: parties by label, keys by public value. */
export interface SessionParties {
  readonly initiator: string;
  readonly responder: string;
  readonly responderIdentityKey: Uint8Array;
  readonly signedPrekey: Uint8Array;
  readonly oneTimePrekey: Uint8Array | undefined;
}

export interface SessionIntermediates {
  readonly json: Record<string, unknown>;
  readonly chainKey: Uint8Array;
}

/** PROTOCOL §5.2 and §6.2 (RatchetInitAlice) for the first packet of a session, from the seeds. */
export async function sessionIntermediates(
  seeds: SeedBook,
  parties: SessionParties,
  packet: ConversationPacket,
  initiatorSession: PeerSession,
): Promise<SessionIntermediates> {
  const first = packet.session;
  if (first.kind !== 'initial') throw new Error('a session starts with an initial packet');
  const h = first.header;
  const ika = await seeds.x25519(parties.initiator, h.initiatorIdentityKey);
  const eka = await seeds.x25519(parties.initiator, h.initiatorEphemeralKey);
  const ratchet = await seeds.x25519AtBlock(parties.initiator, eka.block + 1);
  same('the first ratchet key (drawn right after EKA)', ratchet.keyPair.publicKey, first.message.header.dh);
  const dhs = [
    await x25519(ika.keyPair.privateKey, parties.signedPrekey),
    await x25519(eka.keyPair.privateKey, parties.responderIdentityKey),
    await x25519(eka.keyPair.privateKey, parties.signedPrekey),
    ...(parties.oneTimePrekey === undefined ? [] : [await x25519(eka.keyPair.privateKey, parties.oneTimePrekey)]),
  ];
  const ad = initiatorSession.ratchet.associatedData;
  const adPrefix = sessionLabelled(SESSION_LABELS.x3dhAd, new Uint8Array(0));
  same('the AD label', ad.slice(0, adPrefix.length), adPrefix);
  const transcript = ad.slice(adPrefix.length);
  const info = concatBytes(labelInfo(SESSION_LABELS.x3dh), new Uint8Array([0]), transcript);
  const sharedSecret = await hkdfSha256(concatBytes(F, ...dhs), ZERO_SALT, info, 32);
  const sessionId = (await sha256(sessionLabelled(SESSION_LABELS.sessionId, h.initiatorEphemeralKey))).slice(0, 16);
  same('the session id', sessionId, first.sessionId);
  const init = await kdfRk(sharedSecret, await x25519(ratchet.keyPair.privateKey, parties.signedPrekey));
  same('the initiator root key', init.rootKey, initiatorSession.ratchet.rootKey);
  return {
    chainKey: init.chainKey,
    json: {
      initiator: parties.initiator,
      responder: parties.responder,
      sessionId: toHex(sessionId),
      draws: { initiatorIdentityKey: ika.block, ephemeralKey: eka.block, ratchetKey: ratchet.block },
      initiatorIdentityKey: toHex(h.initiatorIdentityKey),
      ephemeralKey: toHex(h.initiatorEphemeralKey),
      ratchetKey: toHex(ratchet.keyPair.publicKey),
      responderIdentityKey: toHex(parties.responderIdentityKey),
      signedPrekey: toHex(parties.signedPrekey),
      oneTimePrekey: parties.oneTimePrekey === undefined ? null : toHex(parties.oneTimePrekey),
      dh: dhs.map(toHex),
      transcript: toHex(transcript),
      associatedData: toHex(ad),
      sharedSecret: toHex(sharedSecret),
      rootKey: toHex(init.rootKey),
      chainKey: toHex(init.chainKey),
    },
  };
}

export interface PacketKeys {
  readonly json: Record<string, unknown>;
  readonly contentKey: Uint8Array;
  readonly bodyHash: Uint8Array;
}

/**
 * PROTOCOL §6.1 and §7.2 for one outgoing packet: the chain key that made it, KDF_CK, ENCRYPT's key
 * and IV, and the key packet it carries (opened again here with those keys).
 */
export async function packetKeys(
  packet: ConversationPacket,
  chainKey: Uint8Array,
  after: PeerSession,
): Promise<PacketKeys> {
  const message = packet.session.message;
  const step = await kdfCk(chainKey);
  same('the next sending chain key', step.chainKey, after.ratchet.sendChainKey);
  const { key, iv } = await keyAndIv(step.messageKey, SESSION_LABELS.ratchetMessage);
  const ad = concatBytes(after.ratchet.associatedData, encode(ratchetHeaderCodec, message.header));
  const plain = await aesGcmDecrypt(key, iv, message.ciphertext, ad);
  const keys = decode(keyPacketCodec, plain);
  return {
    contentKey: keys.contentKey,
    bodyHash: keys.bodyHash,
    json: {
      sessionKind: packet.session.kind,
      sessionId: toHex(packet.session.sessionId),
      header: { dh: toHex(message.header.dh), pn: message.header.pn, n: message.header.n },
      rootKey: toHex(after.ratchet.rootKey),
      chainKey: toHex(chainKey),
      messageKey: toHex(step.messageKey),
      messageCipherKey: toHex(key),
      messageIv: toHex(iv),
      keyPacket: toHex(plain),
    },
  };
}

export interface OpenedBody {
  readonly frame: ConversationFrame;
  readonly json: Record<string, unknown>;
  readonly frameHash: Uint8Array;
}

/** PROTOCOL §7.4–§7.5 and §7.2: the body hash, its key and IV, the padded frame, the frame and its hash. */
export async function openedBody(
  packet: ConversationPacket,
  contentKey: Uint8Array,
  bodyHash: Uint8Array,
): Promise<OpenedBody> {
  same('the body hash', await sha256(sessionLabelled(SESSION_LABELS.bodyHash, packet.body)), bodyHash);
  const { key, iv } = await keyAndIv(contentKey, SESSION_LABELS.contentKey);
  const aadFields = concatBytes(new Uint8Array([WIRE_VERSION, SUITE_V1]), packet.conversationId, packet.senderId);
  const aad = sessionLabelled(SESSION_LABELS.contentAad, aadFields);
  const padded = await aesGcmDecrypt(key, iv, packet.body, aad);
  const frameBytes = unpad(padded);
  const frame = decode(frameCodec, frameBytes);
  const frameHash = await sha256(sessionLabelled(SESSION_LABELS.messageHash, frameBytes));
  return {
    frame,
    frameHash,
    json: {
      contentKey: toHex(contentKey),
      bodyKey: toHex(key),
      bodyIv: toHex(iv),
      contentAad: toHex(aad),
      bodyHash: toHex(bodyHash),
      paddedBytes: padded.length,
      frameBytes: frameBytes.length,
      frame: toHex(frameBytes),
      frameHash: toHex(frameHash),
    },
  };
}
