/**
 * An owner's denial of a change request in the runtime (PROTOCOL §4.5 "Denying a request"): which
 * alert a refused decision raises, and the words a person reads about a request.
 *
 * A denial travels back in the request's own channel (the conversation the requester opened, so the
 * relay routes it), one envelope to the requester, saved in the outbox in the commit that records the
 * request as decided. Other owner devices are not told.
 */
import { constantTimeEqual } from '../crypto/index.js';
import { SealdeskError } from '../errors/index.js';
import {
  ALERT_KINDS,
  type AlertKind,
  type ChangeRequestDecision,
  ChangeRequestDecisionRefusedError,
  type DecisionRefusal,
  type DeviceEntry,
  type DeviceList,
  type DeviceListChangeRequest,
  SUSPECTS,
  type SecurityAlert,
  decodeChangeRequestDecision,
  decodeListChangeRequest,
  findDevice,
  changeRequestDecisionCodec,
  listChangeRequestCodec,
} from '../protocol/index.js';
import { decode, idEquals } from '../wire/index.js';

/** The alert of a refused decision, and whom it names (PROTOCOL §7.8 suspects). */
export function decisionAlert(error: unknown, decision: ChangeRequestDecision | undefined): SecurityAlert {
  const reason: DecisionRefusal = error instanceof ChangeRequestDecisionRefusedError ? error.reason : 'malformed';
  const detail = `change request decision refused: ${reason}`;
  if (reason === 'not-owner' && decision !== undefined)
    // A listed device signed it: it claimed a decision its role does not give it.
    return {
      kind: ALERT_KINDS.invalidContent,
      suspects: [SUSPECTS.participant(decision.deciderId)],
      detail,
      deviceId: decision.deciderId,
    };
  const byReason: Record<DecisionRefusal, AlertKind> = {
    malformed: ALERT_KINDS.forged,
    'other-account': ALERT_KINDS.forged,
    'not-listed': ALERT_KINDS.forged,
    'bad-signature': ALERT_KINDS.badSignature,
    'not-owner': ALERT_KINDS.forged,
    'other-request': ALERT_KINDS.misrouted,
    'other-device': ALERT_KINDS.misrouted,
    'stale-list': ALERT_KINDS.replay,
  };
  return { kind: byReason[reason], suspects: [SUSPECTS.relay], detail };
}

/** What `read` returns, or undefined when the bytes do not decode (for an alert's suspect, a summary). */
function orUndefined<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (error) {
    if (error instanceof SealdeskError) return undefined;
    throw error;
  }
}

/** The decision's body, when it decodes. */
export function peekDecision(bytes: Uint8Array): ChangeRequestDecision | undefined {
  return orUndefined(() =>
    decode(changeRequestDecisionCodec, decodeChangeRequestDecision(bytes).body, 'changeRequestDecision'),
  );
}

/** A signed request's body, when it decodes. */
export function peekRequest(body: Uint8Array): DeviceListChangeRequest | undefined {
  return orUndefined(() => decode(listChangeRequestCodec, decodeListChangeRequest(body).body, 'listChangeRequest'));
}

/**
 * True when the list already shows the requested change (another owner approved it): a denial that
 * arrives after that answers nothing on the requester.
 */
export function changeInEffect(request: DeviceListChangeRequest, list: DeviceList | undefined): boolean {
  if (list === undefined) return false;
  const change = request.change;
  if (change.kind === 'remove-agent') return !list.devices.some((d) => constantTimeEqual(d.agentId, change.agentId));
  const id = change.kind === 'add-device' ? change.device.deviceId : change.deviceId;
  const listed = findDevice(list, id) !== undefined;
  return change.kind === 'add-device' ? listed : !listed;
}

/** What a request asks, in words: "add a pwa device for Zoe (agent)" (`entries`: the list it is read with). */
export function changeWords(request: DeviceListChangeRequest, entries: readonly DeviceEntry[]): string {
  const change = request.change;
  if (change.kind === 'add-device')
    return `add a ${change.device.kind} device for ${change.device.agentName} (${change.device.role})`;
  if (change.kind === 'remove-agent') {
    const agent = entries.find((d) => constantTimeEqual(d.agentId, change.agentId));
    return `remove ${agent === undefined ? 'an agent' : agent.agentName} and every device of theirs`;
  }
  const target = entries.find((d) => idEquals(d.deviceId, change.deviceId));
  return `remove ${target === undefined ? 'a device' : `${target.agentName}'s ${target.kind} device`}`;
}
