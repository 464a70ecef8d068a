/**
 * Starting a conversation (docs/PROTOCOL.md §5.1, §7.1). The visitor draws a per-conversation
 * X25519 identity key from env.rng and derives from it the 128-bit conversation id (F20) and its
 * own id (issue #9 item 3), verifies each listed device's prekey bundle (session/prekeys.ts, X3DH
 * §3.2) and runs X3DH with every authorised agent device. A device whose bundle is missing, does not
 * verify or whose X3DH fails gets no session (and an alert); the others still work.
 */
import { x25519KeyPairFromSeed, type X25519KeyPair } from '../../crypto/index.js';
import { InvalidKeyError } from '../../errors/index.js';
import { idEquals, type ConversationId, type DeviceId } from '../../wire/index.js';
import {
  type SecurityAlert,
  type ProtocolEnv,
  NoVerifiedBundleError,
  type DeviceEntry,
  type PrekeyBundle,
} from '../core/index.js';
import { conversationIdOf, visitorIdOf } from './conversation-ids.js';
import { ZERO_HASH } from './conversation-order.js';
import {
  CONVERSATION_ROLES,
  CONVERSATION_STATE_VERSION,
  type ConversationDeviceList,
  type ConversationState,
} from './conversation-state.js';
import type { DeviceKeys } from '../identity/index.js';
import {
  BAD_PREKEY_KINDS,
  BadPrekeyError,
  type PeerSession,
  startInitiatorSession,
  prekeyBundleAlert,
  verifyPrekeyBundle,
} from '../session/index.js';

/** The alert for a device whose bundle or X3DH failed (with this conversation's id); rethrows other errors. */
function deviceAlert(error: unknown, conversationId: ConversationId, device: DeviceEntry): SecurityAlert {
  const alert = prekeyBundleAlert(error, device.deviceId);
  if (alert === undefined) throw error;
  return { ...alert, conversationId };
}

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
    return deviceAlert(error, conversationId, device);
  }
}

/**
 * Starts an initiator session with a device whose bundle verified. Its random draws happen before
 * the first await (startInitiatorSession), so sessions started together draw in call order. An
 * all-zero DH output costs only this device (issue #9 item 2): an alert instead of a session.
 */
async function sessionWith(
  identity: X25519KeyPair,
  selfId: DeviceId,
  conversationId: ConversationId,
  list: ConversationDeviceList,
  device: DeviceEntry,
  bundle: PrekeyBundle,
  env: ProtocolEnv,
): Promise<{ session: PeerSession } | { alert: SecurityAlert }> {
  try {
    const session = await startInitiatorSession(
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
        accountId: list.accountId,
        accountKey: list.accountKey,
        deviceListVersion: list.version,
        deviceListHash: list.hash,
      },
      env,
    );
    return { session };
  } catch (error) {
    if (!(error instanceof InvalidKeyError)) throw error;
    const bad = new BadPrekeyError(BAD_PREKEY_KINDS.exchange, 'X3DH gave an all-zero secret', { cause: error });
    return { alert: deviceAlert(bad, conversationId, device) };
  }
}

/**
 * Verifies `bundle` for `device` and starts an initiator session; an alert instead when it does not
 * verify or its X3DH fails (that device only, issue #9 item 2).
 */
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
  return sessionWith(identity, selfId, conversationId, list, device, bundle, env);
}

export async function startVisitorConversation(
  deviceList: ConversationDeviceList,
  bundles: readonly PrekeyBundle[],
  env: ProtocolEnv,
): Promise<{ state: ConversationState; alerts: SecurityAlert[] }> {
  // PROTOCOL §5.1 draw order: the identity seed first; both ids are derived from IKA (issue #9 item 3).
  const identity = await x25519KeyPairFromSeed(env.rng(32));
  const [conversationId, visitorId] = await Promise.all([
    conversationIdOf(identity.publicKey),
    visitorIdOf(identity.publicKey),
  ]);
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
  const verified = checked.filter((c) => c.alert === undefined);
  const started = await Promise.all(
    verified.map((v) => sessionWith(identity, visitorId, conversationId, deviceList, v.device, v.bundle, env)),
  );
  const alerts = [
    ...checked.flatMap((c) => (c.alert === undefined ? [] : [c.alert])),
    ...started.flatMap((o) => ('alert' in o ? [o.alert] : [])),
  ];
  const sessions = started.flatMap((o) => ('session' in o ? [o.session] : []));
  if (sessions.length === 0)
    throw new NoVerifiedBundleError(
      'no agent device has a verified prekey bundle: the conversation cannot start',
      alerts,
    );
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
      // The visitor never joins late (PROTOCOL §7.6).
      listedSince: 0,
      sessions,
      nextSendSeq: 1,
      lastSentHash: ZERO_HASH,
      lastSentListVersion: 0,
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
  listedSince: number,
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
    listedSince,
    sessions: [],
    nextSendSeq: 1,
    lastSentHash: ZERO_HASH,
    lastSentListVersion: 0,
    sentHashes: [],
    tracks: [],
    claims: [],
    closedBySelf: false,
    ended: false,
  };
}
