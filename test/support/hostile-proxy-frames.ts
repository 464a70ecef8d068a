/**
 * What the hostile proxy's hooks do to frames: pick the queue a socket reads, hold frames for a
 * later release, and forge envelopes from honest ones (the relay holds no key, so a forgery is an
 * honest header carrying the attacker's own bytes where the ciphertext was).
 */
import { conversationPacketCodec } from '../../shared/protocol/index.js';
import {
  type DeliverFrame,
  type RelayFrame,
  asCiphertext,
  decode,
  decodeEnvelope,
  encode,
  encodeEnvelope,
} from '../../shared/wire/index.js';
import { rewritePacket, rewriteRatchetHeader } from './attacker.js';
import type { ProxiedSocket, RelayFrameHook } from './hostile-proxy.js';

export const toVisitor = (socket: ProxiedSocket): boolean => socket.queue?.startsWith('visitor:') === true;
export const toDevice =
  (deviceIdHex: string) =>
  (socket: ProxiedSocket): boolean =>
    socket.queue === `device:${deviceIdHex}`;

/** The envelope with its last bytes (the body's ciphertext and tag) overwritten by `text`. */
export function withAttackerTail(envelope: Uint8Array, text: string): Uint8Array {
  const decoded = decodeEnvelope(envelope);
  const body = new Uint8Array(decoded.body);
  const bytes = new TextEncoder().encode(text).subarray(0, body.length);
  body.set(bytes, body.length - bytes.length);
  return encodeEnvelope({ ...decoded, body: asCiphertext(body) });
}

/**
 * A first-contact envelope (PROTOCOL §5) whose visitor key (IKA) is replaced by `attackerKey`;
 * `undefined` for any other packet.
 */
export function withSwappedVisitorKey(envelope: Uint8Array, attackerKey: Uint8Array): Uint8Array | undefined {
  const decoded = decodeEnvelope(envelope);
  const packet = decode(conversationPacketCodec, decoded.body, 'conversation packet');
  if (packet.session.kind !== 'initial') return undefined;
  const header = { ...packet.session.header, initiatorIdentityKey: new Uint8Array(attackerKey) };
  const swapped = encode(conversationPacketCodec, { ...packet, session: { ...packet.session, header } });
  return encodeEnvelope({ ...decoded, body: asCiphertext(swapped) });
}

/** A hook that hands the next `count` deliver frames on matching sockets to `take` instead of forwarding them. */
export function interceptDelivers(
  matches: (socket: ProxiedSocket) => boolean,
  count: number,
  take: (frame: DeliverFrame, socket: ProxiedSocket) => readonly RelayFrame[],
): RelayFrameHook {
  let left = count;
  return (frame, socket) => {
    if (frame.type !== 'deliver' || left === 0 || !matches(socket)) return undefined;
    left--;
    return take(frame, socket);
  };
}

/** Deliver frames held back by a hook, released later in any order. */
export class HeldFrames {
  readonly frames: { frame: DeliverFrame; socket: ProxiedSocket }[] = [];

  hold(frame: DeliverFrame, socket: ProxiedSocket): readonly RelayFrame[] {
    this.frames.push({ frame, socket });
    return [];
  }

  release(index: number): void {
    const held = this.frames[index];
    if (held === undefined) throw new Error(`no held frame ${index}`);
    held.socket.toClient(held.frame);
  }
}

/**
 * The envelope with its ratchet header (PROTOCOL §6.4, covered by the AEAD) changed by `change`,
 * the rest as it came: the proxy cannot re-authenticate it, so what is tested is the receiver's
 * check of the header before it decrypts.
 */
export function withRatchetHeader(
  envelope: Uint8Array,
  change: Parameters<typeof rewriteRatchetHeader>[1],
): Uint8Array {
  return encodeEnvelope(rewritePacket(decodeEnvelope(envelope), (p) => rewriteRatchetHeader(p, change)));
}
