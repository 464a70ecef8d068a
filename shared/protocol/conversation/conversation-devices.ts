/**
 * A new verified device list for an ongoing conversation (docs/PROTOCOL.md §7.4; security brief
 * §3 "removing a device removes it from the fan-out", F10). Sessions with devices that are no
 * longer listed are deleted, so no ciphertext is ever made for a revoked device and packets from
 * it are refused (UnauthorisedDeviceError). On the visitor side, newly listed devices get a
 * session from their verified bundle. An older list is a RollbackError; the same version with
 * another hash an EquivocationError.
 */
import { constantTimeEqual } from '../../crypto/index.js';
import { idEquals } from '../../wire/index.js';
import {
  type SecurityAlert,
  type ProtocolEnv,
  EquivocationError,
  RollbackError,
  type PrekeyBundle,
} from '../core/index.js';
import { sessionFromBundle } from './conversation-start.js';
import { CONVERSATION_ROLES, type ConversationDeviceList, type ConversationState } from './conversation-state.js';
import type { PeerSession } from '../session/index.js';

export async function applyDeviceList(
  state: ConversationState,
  list: ConversationDeviceList,
  bundles: readonly PrekeyBundle[],
  env: ProtocolEnv,
): Promise<{ state: ConversationState; alerts: SecurityAlert[] }> {
  if (list.version < state.deviceList.version)
    throw new RollbackError(`device list version ${list.version} is older than ${state.deviceList.version}`);
  if (list.version === state.deviceList.version) {
    if (!constantTimeEqual(list.hash, state.deviceList.hash))
      throw new EquivocationError(`two different device lists with version ${list.version}`);
    return { state, alerts: [] };
  }
  const listed = (s: PeerSession): boolean => list.devices.some((d) => idEquals(d.deviceId, s.peerId));
  const isVisitorSession = (s: PeerSession): boolean => state.visitorId !== null && idEquals(s.peerId, state.visitorId);
  const sessions = state.sessions.filter((s) => isVisitorSession(s) || listed(s));
  const alerts: SecurityAlert[] = [];
  const identity = state.visitorIdentity;
  if (state.role === CONVERSATION_ROLES.visitor && identity !== null) {
    for (const device of list.devices) {
      if (sessions.some((s) => idEquals(s.peerId, device.deviceId))) continue;
      const bundle = bundles.find((b) => idEquals(b.deviceId, device.deviceId));
      if (bundle === undefined) continue;
      const outcome = await sessionFromBundle(identity, state.selfId, state.conversationId, list, device, bundle, env);
      if ('session' in outcome) sessions.push(outcome.session);
      else alerts.push(outcome.alert);
    }
  }
  return { state: { ...state, deviceList: list, sessions }, alerts };
}
