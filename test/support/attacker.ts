/**
 * What a malicious service can make on its own: its own account key and devices, and altered
 * copies of honest signed structures. It never has an honest party's private key (tests that
 * need a second AIK signature — equivocation — use the account's key explicitly and say so).
 */
import {
  type AccountIdentity,
  createAccountIdentity,
  createDeviceKeys,
  type DeviceKeys,
  deviceEntryOf,
  newAgentId,
  decodeDeviceListBody,
  encodeDeviceListBody,
  type ProtocolEnv,
  type DeviceEntry,
  type DeviceList,
  type PrekeyBundle,
  type SignedDeviceList,
  type ConversationPacket,
  conversationPacketCodec,
} from '../../shared/protocol/index.js';
import {
  asCiphertext,
  decode,
  encode,
  decodeEnvelope,
  encodeEnvelope,
  type Envelope,
  type Recipient,
  type ConversationId,
  type DeviceId,
  idEquals,
  SUITE_V1,
  WIRE_VERSION,
} from '../../shared/wire/index.js';
import { accountBinding } from './account-binding.js';

export interface RogueDevice {
  readonly keys: DeviceKeys;
  readonly entry: DeviceEntry;
}

/** A device the relay controls, dressed up as an agent of the business. */
export async function rogueDevice(env: ProtocolEnv, agentName = 'Support'): Promise<RogueDevice> {
  const keys = await createDeviceKeys(env);
  const { accountId, sponsorId } = accountBinding(env);
  const profile = { agentId: newAgentId(env), agentName, kind: 'extension' as const, role: 'agent' as const };
  return { keys, entry: await deviceEntryOf(keys, profile, accountId, sponsorId) };
}

/** The relay's own account key (it can make as many as it likes; none matches the pin). */
export async function attackerAccount(env: ProtocolEnv): Promise<AccountIdentity> {
  return (await createAccountIdentity(env)).identity;
}

/** The honest list body with `rogue` appended, re-encoded, keeping the honest signature (now wrong). */
export function withRogueDevice(signed: SignedDeviceList, rogue: DeviceEntry): SignedDeviceList {
  const list: DeviceList = decodeDeviceListBody(signed.body);
  return {
    body: encodeDeviceListBody({ ...list, devices: [...list.devices, rogue] }),
    signature: new Uint8Array(signed.signature),
  };
}

/** The bundle as a directory serves it with its (unsigned, optional) one-time prekey stripped. */
export function withoutOneTimePrekey(bundle: PrekeyBundle): PrekeyBundle {
  return {
    deviceId: bundle.deviceId,
    signedPrekeyId: bundle.signedPrekeyId,
    signedPrekey: bundle.signedPrekey,
    signedPrekeyCreatedAt: bundle.signedPrekeyCreatedAt,
    signedPrekeySignature: bundle.signedPrekeySignature,
  };
}

/** A copy of `bytes` with one bit flipped at `index` (negative counts from the end). */
export function flipBit(bytes: Uint8Array, index: number, bit = 0): Uint8Array {
  const out = new Uint8Array(bytes);
  const at = index < 0 ? out.length + index : index;
  out[at] = (out[at] ?? 0) ^ (1 << bit);
  return out;
}

// ---- conversation packets -------------------------------------------------------------------

/** Decodes the per-recipient packet inside an envelope (everything in it is visible to the relay). */
export function openPacket(envelopeBytes: Uint8Array): { envelope: Envelope; packet: ConversationPacket } {
  const envelope = decodeEnvelope(envelopeBytes);
  return { envelope, packet: decode(conversationPacketCodec, envelope.body, 'packet') };
}

/** Re-wraps a (modified) packet in an envelope for the same or another recipient. */
export function repack(
  envelope: Envelope,
  packet: ConversationPacket,
  recipient: Recipient = envelope.recipient,
): Uint8Array {
  return encodeEnvelope({ ...envelope, recipient, body: asCiphertext(encode(conversationPacketCodec, packet)) });
}

export interface ForgeSpec {
  readonly conversationId: ConversationId;
  readonly senderId: DeviceId;
  readonly recipientId: DeviceId;
  readonly recipient: Recipient;
  readonly sessionId: Uint8Array;
  /** The ratchet public key to claim (default: one of the relay's own). */
  readonly dh: Uint8Array;
  readonly n: number;
  readonly pn: number;
  readonly kind: 'normal' | 'signedReply';
}

/** A packet made by the relay alone: real ids, its own bytes where keys would be needed. */
export function forgePacket(spec: ForgeSpec, env: ProtocolEnv): Uint8Array {
  const message = {
    header: { version: WIRE_VERSION, suite: SUITE_V1, dh: spec.dh, pn: spec.pn, n: spec.n },
    ciphertext: env.rng(96),
  };
  const session =
    spec.kind === 'normal'
      ? { kind: 'normal' as const, sessionId: spec.sessionId, message }
      : { kind: 'signedReply' as const, sessionId: spec.sessionId, message, signature: env.rng(64) };
  const packet: ConversationPacket = {
    conversationId: spec.conversationId,
    senderId: spec.senderId,
    recipientId: spec.recipientId,
    session,
    body: env.rng(256 + 16),
  };
  return encodeEnvelope({
    conversationId: spec.conversationId,
    recipient: spec.recipient,
    body: asCiphertext(encode(conversationPacketCodec, packet)),
  });
}

/**
 * Installs an envelope hook that applies `rewrite` to the next `count` envelopes for which
 * `match` holds (others pass untouched). `rewrite` returns the envelopes to store instead:
 * [] drops, [e, e] duplicates, a changed envelope rewrites.
 */
export function interceptNext(
  relay: { envelopeHook: ((e: Envelope) => readonly Envelope[]) | undefined },
  match: (e: Envelope) => boolean,
  rewrite: (e: Envelope) => readonly Envelope[],
  count = 1,
): void {
  let left = count;
  relay.envelopeHook = (e) => {
    if (left > 0 && match(e)) {
      left--;
      return rewrite(e);
    }
    return [e];
  };
}

/** Applies `change` to the decoded packet of an envelope. */
export function rewritePacket(e: Envelope, change: (p: ConversationPacket) => ConversationPacket): Envelope {
  const packet = decode(conversationPacketCodec, e.body, 'packet');
  return { ...e, body: asCiphertext(encode(conversationPacketCodec, change(packet))) };
}

/** Applies `change` to the ratchet header inside a packet. */
export function rewriteRatchetHeader(
  p: ConversationPacket,
  change: (h: ConversationPacket['session']['message']['header']) => ConversationPacket['session']['message']['header'],
): ConversationPacket {
  const message = { ...p.session.message, header: change(p.session.message.header) };
  return { ...p, session: { ...p.session, message } };
}

/** Matches envelopes for one device / for the visitor. */
export function toDevice(deviceId: DeviceId): (e: Envelope) => boolean {
  return (e) => e.recipient.kind === 'device' && idEquals(e.recipient.deviceId, deviceId);
}

export const toVisitor = (e: Envelope): boolean => e.recipient.kind === 'visitor';
