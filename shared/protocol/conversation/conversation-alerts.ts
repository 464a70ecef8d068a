/**
 * Turning detections and rejections of the conversation layer into SecurityAlert values
 * (docs/PROTOCOL.md §7.8). Alerts carry ids and counters only, never content or keys.
 */
import { DecodeError, DecryptError, LimitError, SignatureError } from '../../errors/index.js';
import type { ConversationId, DeviceId } from '../../wire/index.js';
import {
  ALERT_KINDS,
  type SecurityAlert,
  DowngradeError,
  EquivocationError,
  InvalidContentError,
  MisroutedPacketError,
  OneTimePrekeyReuseError,
  ReplayError,
  UnauthorisedDeviceError,
} from '../core/index.js';
import type { OrderNote } from './conversation-order.js';

export function alertsOf(
  notes: readonly OrderNote[],
  conversationId: ConversationId,
  deviceId?: DeviceId,
): SecurityAlert[] {
  return notes.map((n) => ({
    kind: n.kind,
    detail: n.detail,
    conversationId,
    ...(deviceId === undefined ? {} : { deviceId }),
  }));
}

/**
 * The alert to show for a packet `receiveMessage` rejected (the state stays as it was), or
 * undefined for errors that are not a detection (e.g. a programming error).
 */
export function rejectionAlert(
  error: unknown,
  conversationId: ConversationId,
  senderId?: DeviceId,
): SecurityAlert | undefined {
  const base = { conversationId, ...(senderId === undefined ? {} : { deviceId: senderId }) };
  if (error instanceof OneTimePrekeyReuseError)
    return {
      ...base,
      kind: ALERT_KINDS.prekeyReuse,
      detail: 'a first message reused a one-time prekey (handed out twice)',
    };
  if (error instanceof MisroutedPacketError)
    return {
      ...base,
      kind: ALERT_KINDS.misrouted,
      detail: 'a packet for another conversation or device was delivered here and refused',
    };
  if (error instanceof ReplayError)
    return { ...base, kind: ALERT_KINDS.replay, detail: 'a message was delivered again and ignored' };
  if (error instanceof DowngradeError)
    return {
      ...base,
      kind: ALERT_KINDS.downgrade,
      detail: 'a message with an older protocol version or suite was refused',
    };
  if (error instanceof LimitError)
    return { ...base, kind: ALERT_KINDS.absurdSkip, detail: 'a message with an absurd counter jump was refused' };
  if (error instanceof EquivocationError)
    return {
      ...base,
      kind: ALERT_KINDS.equivocation,
      detail: 'a first message was made for a different device list of the same version',
    };
  if (error instanceof SignatureError)
    return { ...base, kind: ALERT_KINDS.badSignature, detail: 'a first reply was not signed by the listed device key' };
  // Before DecodeError, its base class: an authenticated frame only its sender can have made (#9.7).
  if (error instanceof InvalidContentError)
    return {
      ...base,
      kind: ALERT_KINDS.invalidContent,
      detail: 'a message from this sender broke the rules of its kind (e.g. attachment metadata) and was not shown',
    };
  if (error instanceof DecryptError || error instanceof UnauthorisedDeviceError || error instanceof DecodeError) {
    return {
      ...base,
      kind: ALERT_KINDS.forged,
      detail: 'a message failed authentication or came from an unlisted sender and was refused',
    };
  }
  return undefined;
}
