/**
 * Starting a conversation (docs/PROTOCOL.md §5.1, §7.1). The visitor draws a random 128-bit
 * conversation id (F20), its own id and a per-conversation X25519 identity key from env.rng,
 * verifies each listed device's prekey bundle (session/prekeys.ts, X3DH §3.2) and runs X3DH with every
 * authorised agent device. A device whose bundle is missing or does not verify gets no session
 * (and an alert); the others still work.
 */
import { x25519KeyPairFromSeed, type X25519KeyPair } from '../../crypto/index.js';
import {
  ID_BYTES,
  asConversationId,
  asDeviceId,
  idEquals,
  type ConversationId,
  type DeviceId,
} from '../../wire/index.js';
import {
  type SecurityAlert,
  type ProtocolEnv,
  ProtocolStateError,
  type DeviceEntry,
  type PrekeyBundle,
} from '../core/index.js';
import { ZERO_HASH } from './conversation-order.js';
import {
  CONVERSATION_ROLES,
  CONVERSATION_STATE_VERSION,
  type ConversationDeviceList,
  type ConversationState,
} from './conversation-state.js';
import type { DeviceKeys } from '../identity/index.js';
import { type PeerSession, startInitiatorSession, prekeyBundleAlert, verifyPrekeyBundle } from '../session/index.js';

/** Verifies `bundle` for `device` (X3DH §3.3); the alert to show when it does not verify, else undefined. */
async function bundleAlert(
  conversationId: ConversationId,
  device: DeviceEntry,
  bundle: PrekeyBundle,
  env: ProtocolEnv,
): Promise<SecurityAlert | undefined> {
  try {
    await verifyPrekeyBundle(bundle, device, env.now());
    return undefined;
  } catch (error) {
    const alert = prekeyBundleAlert(error, device.deviceId);
    if (alert === undefined) throw error;
    return { ...alert, conversationId };
  }
}

/** Starts an initiator session with a device whose bundle verified. */
function sessionWith(
  identity: X25519KeyPair,
  selfId: DeviceId,
  conversationId: ConversationId,
  list: ConversationDeviceList,
  device: DeviceEntry,
  bundle: PrekeyBundle,
  env: ProtocolEnv,
): Promise<PeerSession> {
  return startInitiatorSession(
    identity,
    {
      identityKey: device.dhIdentityKey,
      signedPrekey: bundle.signedPrekey,
      signedPrekeyId: bundle.signedPrekeyId,
      oneTimePrekey: bundle.oneTimePrekey,
      signingKey: device.signingKey,
    },
    {
      conversationId,
      initiatorId: selfId,
      responderId: device.deviceId,
      deviceListVersion: list.version,
      deviceListHash: list.hash,
    },
    env,
  );
}

/** Verifies `bundle` for `device` and starts an initiator session; an alert instead when it does not verify. */
export async function sessionFromBundle(
  identity: X25519KeyPair,
  selfId: DeviceId,
  conversationId: ConversationId,
  list: ConversationDeviceList,
  device: DeviceEntry,
  bundle: PrekeyBundle,
  env: ProtocolEnv,
): Promise<{ session: PeerSession } | { alert: SecurityAlert }> {
  const alert = await bundleAlert(conversationId, device, bundle, env);
  if (alert !== undefined) return { alert };
  return { session: await sessionWith(identity, selfId, conversationId, list, device, bundle, env) };
}

export async function startVisitorConversation(
  deviceList: ConversationDeviceList,
  bundles: readonly PrekeyBundle[],
  env: ProtocolEnv,
): Promise<{ state: ConversationState; alerts: SecurityAlert[] }> {
  const conversationId = asConversationId(env.rng(ID_BYTES));
  const visitorId = asDeviceId(env.rng(ID_BYTES));
  const identity = await x25519KeyPairFromSeed(env.rng(32));
  const offered = deviceList.devices.flatMap((device) => {
    const bundle = bundles.find((b) => idEquals(b.deviceId, device.deviceId));
    return bundle === undefined ? [] : [{ device, bundle }];
  });
  // Per-device work runs concurrently (latency; the CPU work is the same). First every bundle
  // is verified (no randomness), then the sessions start in list order: startInitiatorSession
  // draws its randomness before its first await, so each device gets the bytes a one-by-one
  // loop would give it (seeded runs and protocol vectors are unchanged).
  const checked = await Promise.all(
    offered.map(async (o) => ({ ...o, alert: await bundleAlert(conversationId, o.device, o.bundle, env) })),
  );
  const alerts = checked.flatMap((c) => (c.alert === undefined ? [] : [c.alert]));
  const verified = checked.filter((c) => c.alert === undefined);
  const sessions = await Promise.all(
    verified.map((v) => sessionWith(identity, visitorId, conversationId, deviceList, v.device, v.bundle, env)),
  );
  if (sessions.length === 0)
    throw new ProtocolStateError('no agent device has a verified prekey bundle: the conversation cannot start');
  return {
    state: {
      version: CONVERSATION_STATE_VERSION,
      conversationId,
      role: CONVERSATION_ROLES.visitor,
      selfId: visitorId,
      visitorId,
      visitorIdentityKey: null,
      visitorIdentity: identity,
      deviceList,
      sessions,
      nextSendSeq: 1,
      lastSentHash: ZERO_HASH,
      sentHashes: [],
      tracks: [],
      claims: [],
      closedBySelf: false,
      ended: false,
    },
    alerts,
  };
}

/** An empty agent-side state, before its first packet is applied (conversation-receive.ts). */
export function blankAgentConversation(
  conversationId: ConversationId,
  device: DeviceKeys,
  deviceList: ConversationDeviceList,
): ConversationState {
  return {
    version: CONVERSATION_STATE_VERSION,
    conversationId,
    role: CONVERSATION_ROLES.agent,
    selfId: device.deviceId,
    visitorId: null,
    visitorIdentityKey: null,
    visitorIdentity: null,
    deviceList,
    sessions: [],
    nextSendSeq: 1,
    lastSentHash: ZERO_HASH,
    sentHashes: [],
    tracks: [],
    claims: [],
    closedBySelf: false,
    ended: false,
  };
}
