/**
 * Turning detections and rejections of the conversation layer into SecurityAlert values
 * (docs/PROTOCOL.md §7.8). Alerts carry ids and counters only, never content or keys, and name
 * their suspects: who could have caused them.
 */
import { DecodeError, DecryptError, InvalidKeyError, LimitError, SignatureError } from '../../errors/index.js';
import { decode, type ConversationId, type DeviceId } from '../../wire/index.js';
import {
  ALERT_KINDS,
  type AlertKind,
  type AlertSuspect,
  type SecurityAlert,
  DowngradeError,
  EquivocationError,
  InvalidContentError,
  MisroutedPacketError,
  OneTimePrekeyReuseError,
  ReplayError,
  SUSPECTS,
  UnauthorisedDeviceError,
} from '../core/index.js';
import { AttachmentTamperedError } from '../attachment/index.js';
import { FirstContactCacheFullError } from '../session/index.js';
import { conversationPacketCodec } from './conversation-codec.js';
import { DeviceListBehindError, FrameAfterCloseError } from './conversation-errors.js';
import type { OrderNote } from './conversation-order.js';

export function alertsOf(
  notes: readonly OrderNote[],
  conversationId: ConversationId,
  deviceId?: DeviceId,
): SecurityAlert[] {
  return notes.map((n) => ({
    kind: n.kind,
    detail: n.detail,
    suspects: n.suspects,
    conversationId,
    ...(deviceId === undefined ? {} : { deviceId }),
  }));
}

type ErrorClass = abstract new (...args: never[]) => Error;

interface Rejection {
  readonly error: ErrorClass;
  readonly kind: AlertKind;
  readonly detail: string;
  /** Who could have caused it, given the sender the packet claims (undefined when it did not decode). */
  readonly suspects: (sender: AlertSuspect[]) => AlertSuspect[];
}

const relayOnly = (): AlertSuspect[] => [SUSPECTS.relay];
const relayOrSender = (sender: AlertSuspect[]): AlertSuspect[] => [SUSPECTS.relay, ...sender];

/** Refusals that are not detections (capacity, a list to fetch first): no alert. */
const NOT_DETECTIONS: readonly ErrorClass[] = [FirstContactCacheFullError, DeviceListBehindError];

/** First match wins: subclasses before their parents. */
const REJECTIONS: readonly Rejection[] = [
  ...[InvalidContentError, FrameAfterCloseError].map((error) => ({
    error,
    kind: ALERT_KINDS.invalidContent,
    detail: 'an authenticated message broke the rules of its kind and was refused',
    // Only its sender can have written it (the relay, if the caller could not say who that was).
    suspects: (sender: AlertSuspect[]) => (sender.length > 0 ? sender : relayOnly()),
  })),
  {
    error: OneTimePrekeyReuseError,
    kind: ALERT_KINDS.prekeyReuse,
    detail: 'a first message reused a one-time prekey (handed out twice, or reused by its sender)',
    suspects: relayOrSender,
  },
  {
    error: MisroutedPacketError,
    kind: ALERT_KINDS.misrouted,
    detail: 'a packet for another conversation or device was delivered here and refused',
    suspects: relayOnly,
  },
  {
    error: ReplayError,
    kind: ALERT_KINDS.replay,
    detail: 'a message was delivered again and ignored',
    suspects: relayOrSender,
  },
  {
    error: DowngradeError,
    kind: ALERT_KINDS.downgrade,
    detail: 'a message with an older protocol version or suite was refused',
    suspects: relayOrSender,
  },
  {
    error: LimitError,
    kind: ALERT_KINDS.absurdSkip,
    detail: 'a message with an absurd counter jump was refused',
    suspects: relayOrSender,
  },
  {
    error: EquivocationError,
    kind: ALERT_KINDS.equivocation,
    detail: 'a first message was made for a device list this device does not hold (split view, or another chain)',
    suspects: (sender) => [SUSPECTS.relay, SUSPECTS.accountKey, ...sender],
  },
  {
    error: SignatureError,
    kind: ALERT_KINDS.badSignature,
    detail: 'a first reply was not signed by the listed device key',
    suspects: relayOrSender,
  },
  ...[DecryptError, UnauthorisedDeviceError, DecodeError, InvalidKeyError].map((error) => ({
    error,
    kind: ALERT_KINDS.forged,
    detail: 'a message failed authentication or came from an unlisted sender and was refused',
    suspects: relayOrSender,
  })),
];

/** The sender a packet claims, if its bytes decode (the claim is what the relay or the sender wrote). */
function claimedSender(packet: Uint8Array | undefined): AlertSuspect[] {
  if (packet === undefined) return [];
  try {
    return [SUSPECTS.participant(decode(conversationPacketCodec, packet, 'conversation packet').senderId)];
  } catch {
    return [];
  }
}

/**
 * The alert to show for a packet a receive transition rejected (the state stays as it was), or
 * undefined for errors that are not a detection (a full first-contact replay cache, a list this
 * device must fetch first, a programming error). Pass the rejected packet's bytes so that the
 * alert can name the sender it claims among the suspects.
 */
export function rejectionAlert(
  error: unknown,
  conversationId: ConversationId,
  packet?: Uint8Array,
): SecurityAlert | undefined {
  // PROTOCOL §13: a refused file carries its own alert (the relay stores the chunks).
  if (error instanceof AttachmentTamperedError) return { ...error.alert, conversationId };
  if (NOT_DETECTIONS.some((c) => error instanceof c)) return undefined;
  const match = REJECTIONS.find((r) => error instanceof r.error);
  if (match === undefined) return undefined;
  const sender = claimedSender(packet);
  const deviceId = sender[0]?.kind === 'participant' ? sender[0].id : undefined;
  return {
    kind: match.kind,
    detail: match.detail,
    suspects: match.suspects(sender),
    conversationId,
    ...(deviceId === undefined ? {} : { deviceId }),
  };
}
