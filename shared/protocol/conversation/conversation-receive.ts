/**
 * Receiving one per-recipient packet (docs/PROTOCOL.md §7.6). Order of checks:
 * 1. strict decoding (DecodeError), conversation and recipient ids (MisroutedPacketError);
 * 2. the sender is authorised: a listed device, or the conversation's visitor (UnauthorisedDeviceError);
 * 3. the session: an existing one by (sender, session id), or — agent side, first-contact
 *    packet only — a new one from X3DH, after checking the initiator's identity key (a sibling's
 *    must be its listed key; the visitor's must be the key both conversation ids derive from, F2,
 *    issue #9 item 3), the device list the initiator used (conversation-lists.ts, issue #17 item 3)
 *    and the prekeys (one-time prekey consumed, or the first-contact replay cache, issue #9 item 5);
 * 4. the ratchet (ReplayError, LimitError, DowngradeError, DecryptError, SignatureError, F3);
 * 5. the body against the hash in the key packet, then decryption and strict unpadding;
 * 6. the frame: its sender and conversation, its ack order; then the device list it names
 *    (alerts and list lags, issue #17 item 4), ordering, hash chain, acks and a close's truncation
 *    check (alerts, never errors, except a frame after the sender's close).
 * Any error leaves the input state (and prekey state) unchanged; use rejectionAlert() for the alert.
 */
import { constantTimeEqual } from '../../crypto/index.js';
import { DecodeError } from '../../errors/index.js';
import { decode, type DeviceId, idEquals } from '../../wire/index.js';
import {
  type SecurityAlert,
  InvalidContentError,
  type ProtocolEnv,
  MisroutedPacketError,
  OneTimePrekeyReuseError,
  ProtocolStateError,
  ReplayError,
  UnauthorisedDeviceError,
} from '../core/index.js';
import { checkAckOrder, checkAcks } from './conversation-acks.js';
import { checkFirstContactList, checkFrameList } from './conversation-lists.js';
import { conversationIdOf, visitorIdOf } from './conversation-ids.js';
import { applyDeviceList } from './conversation-devices.js';
import { alertsOf } from './conversation-alerts.js';
import {
  type ConversationFrame,
  type ConversationPacket,
  conversationPacketCodec,
  frameCodec,
  keyPacketCodec,
} from './conversation-codec.js';
import { unpad } from './padding.js';
import { frameHashOf, openBody } from './conversation-content.js';
import { tickState, truncationAlerts } from './conversation-end.js';
import { acceptFrame, newSenderTrack } from './conversation-order.js';
import { findSession, upsertSession } from './conversation-sessions.js';
import { blankAgentConversation } from './conversation-start.js';
import {
  type AgentContext,
  type AgentStep,
  CONVERSATION_ROLES,
  type ConversationStep,
  type ConversationState,
} from './conversation-state.js';
import {
  openFromPeer,
  type PeerSession,
  type PrekeySecret,
  startResponderSession,
  consumeOneTimePrekey,
  type PrekeyState,
  recordFirstContactWithoutOneTimePrekey,
  signedPrekeyFor,
} from '../session/index.js';

function decodePacket(bytes: Uint8Array): ConversationPacket {
  return decode(conversationPacketCodec, bytes, 'conversation packet');
}

/** Agent side: a session for a first-contact packet from an unknown session (X3DH §3.4). */
async function respondToFirstContact(
  state: ConversationState,
  packet: ConversationPacket,
  agent: AgentContext,
  env: ProtocolEnv,
): Promise<{ state: ConversationState; session: PeerSession; prekeys: PrekeyState; alerts: SecurityAlert[] }> {
  const first = packet.session;
  if (first.kind !== 'initial') {
    // A revoked (or never listed) device has no session left here: its packets are forgeries (F10).
    if (!isAuthorisedSender(state, packet.senderId))
      throw new UnauthorisedDeviceError('a packet from a sender that is not listed and has no session here');
    throw new ProtocolStateError('a packet for an unknown session that is not a first contact');
  }
  if (idEquals(packet.senderId, state.selfId))
    throw new UnauthorisedDeviceError('a first contact that claims to come from this device');
  const sibling = state.deviceList.devices.find((d) => idEquals(d.deviceId, packet.senderId));
  let next = state;
  if (sibling !== undefined) {
    if (!constantTimeEqual(first.header.initiatorIdentityKey, sibling.dhIdentityKey)) {
      throw new UnauthorisedDeviceError('a first contact from a listed device does not use its listed identity key');
    }
  } else {
    // PROTOCOL §5.4 (F2, issue #9 item 3): the visitor is the holder of the IKA both ids are derived
    // from, whichever packet created this state; never whoever arrives first.
    const ika = first.header.initiatorIdentityKey;
    const [conversationId, visitorId] = await Promise.all([conversationIdOf(ika), visitorIdOf(ika)]);
    if (!idEquals(conversationId, state.conversationId) || !idEquals(visitorId, packet.senderId)) {
      throw new UnauthorisedDeviceError(
        "a first contact from a sender that is neither a listed device nor the holder of this conversation's visitor key",
      );
    }
    if (state.visitorId === null) next = { ...state, visitorId, visitorIdentityKey: ika };
    else if (
      !idEquals(state.visitorId, visitorId) ||
      state.visitorIdentityKey === null ||
      !constantTimeEqual(state.visitorIdentityKey, ika)
    ) {
      throw new UnauthorisedDeviceError('a first contact claims the visitor with another identity key');
    }
  }
  const alerts = checkFirstContactList(
    state,
    packet.senderId,
    first.header.deviceListVersion,
    first.header.deviceListHash,
  );
  const now = env.now();
  const signedPrekey = {
    id: first.header.signedPrekeyId,
    keyPair: signedPrekeyFor(agent.prekeys, first.header.signedPrekeyId, now),
  };
  let prekeys = agent.prekeys;
  let oneTime: PrekeySecret | undefined;
  if (first.header.oneTimePrekeyId === undefined) {
    // PROTOCOL §3.3 (issue #9 item 5): no one-time prekey to consume, so the session id goes into the
    // signed prekey's replay cache; a recorded first contact replayed later is refused.
    prekeys = recordFirstContactWithoutOneTimePrekey(prekeys, first.header.signedPrekeyId, first.sessionId, now);
  } else {
    const id = first.header.oneTimePrekeyId;
    try {
      const consumed = consumeOneTimePrekey(prekeys, id);
      prekeys = consumed.state;
      oneTime = { id, keyPair: consumed.keyPair };
    } catch (error) {
      if (error instanceof ReplayError)
        throw new OneTimePrekeyReuseError(`one-time prekey ${id} was used before`, { cause: error });
      throw error;
    }
  }
  const session = await startResponderSession(agent.device.identityDh, signedPrekey, oneTime, first, {
    conversationId: state.conversationId,
    initiatorId: packet.senderId,
    responderId: state.selfId,
    // Issue #17 item 3: this device's own account and account key (an initiator that pinned another
    // business derived other keys: DecryptError).
    accountId: state.deviceList.accountId,
    accountKey: state.deviceList.accountKey,
    deviceListVersion: first.header.deviceListVersion,
    deviceListHash: first.header.deviceListHash,
  });
  return { state: next, session, prekeys, alerts };
}

function isAuthorisedSender(state: ConversationState, sender: DeviceId): boolean {
  if (state.visitorId !== null && idEquals(state.visitorId, sender) && state.role === CONVERSATION_ROLES.agent)
    return true;
  return state.deviceList.devices.some((d) => idEquals(d.deviceId, sender)) && !idEquals(sender, state.selfId);
}

/**
 * PROTOCOL §7.2: `prevListVersion` is 0 exactly for seq 1, and never above the frame's own list
 * version (a sender's list only moves forward, §4.4).
 */
function checkPrevListVersion(frame: ConversationFrame): void {
  if ((frame.seq === 1) !== (frame.prevListVersion === 0))
    throw new DecodeError(`frame ${frame.seq} names previous list version ${frame.prevListVersion} (0 for seq 1 only)`);
  if (frame.prevListVersion > frame.deviceListVersion)
    throw new DecodeError(
      `frame ${frame.seq} says its previous frame named list ${frame.prevListVersion}, newer than its own ${frame.deviceListVersion}`,
    );
}

/**
 * PROTOCOL §7.6: unpads and parses an opened body. It authenticated under the content key the
 * sender's ratchet carried, so any rule it breaks is the sender's: InvalidContentError.
 */
function parseFrame(
  padded: Uint8Array,
  packet: ConversationPacket,
  state: ConversationState,
): { frame: ConversationFrame; frameBytes: Uint8Array } {
  try {
    const frameBytes = unpad(padded);
    const frame = decode(frameCodec, frameBytes, 'conversation frame');
    if (!idEquals(frame.senderId, packet.senderId) || !idEquals(frame.conversationId, state.conversationId)) {
      throw new DecodeError('frame names another sender or conversation than its packet');
    }
    checkAckOrder(frame.senderId, frame.acks);
    checkPrevListVersion(frame);
    return { frame, frameBytes };
  } catch (error) {
    if (!(error instanceof DecodeError)) throw error;
    throw new InvalidContentError(`an authenticated message breaks the frame rules: ${error.message}`, {
      cause: error,
    });
  }
}

/**
 * The agent side's part of receiving: its context and step 3's first-contact responder. Passed in
 * by receiveAsAgent only, so a visitor-only bundle (the widget) leaves the responder out.
 */
interface AgentSide {
  readonly context: AgentContext;
  readonly respond: typeof respondToFirstContact;
}

async function receiveCore(
  state: ConversationState,
  bytes: Uint8Array,
  env: ProtocolEnv,
  side: AgentSide | undefined,
): Promise<{ step: ConversationStep; prekeys: PrekeyState | undefined }> {
  const agent = side?.context;
  const packet = decodePacket(bytes);
  // F20: ids are bound into the AEAD associated data; a packet the relay moved is refused before any work.
  if (!idEquals(packet.conversationId, state.conversationId))
    throw new MisroutedPacketError('packet for another conversation');
  if (!idEquals(packet.recipientId, state.selfId)) throw new MisroutedPacketError('packet addressed to another device');
  if (state.ended) throw new ProtocolStateError('this conversation has ended');

  let working = state;
  // An agent device passes its current verified list: a newer one drops revoked devices first (F10).
  if (agent !== undefined && agent.deviceList.version > state.deviceList.version) {
    working = (await applyDeviceList(state, agent.deviceList, [], env)).state;
  }
  let prekeys = agent?.prekeys;
  const firstContactAlerts: SecurityAlert[] = [];
  let session = findSession(working, packet.senderId, packet.session.sessionId);
  if (session === undefined) {
    if (side === undefined || state.role !== CONVERSATION_ROLES.agent) {
      throw new UnauthorisedDeviceError('a packet from a sender or session this visitor did not start');
    }
    const started = await side.respond(working, packet, side.context, env);
    working = started.state;
    session = started.session;
    prekeys = started.prekeys;
    firstContactAlerts.push(...started.alerts);
  } else if (!isAuthorisedSender(working, packet.senderId)) {
    throw new UnauthorisedDeviceError('a packet from a device that is no longer listed');
  }

  const opened = await openFromPeer(session, packet.session, env);
  const keys = decode(keyPacketCodec, opened.plaintext, 'key packet');
  const padded = await openBody(packet.body, keys.contentKey, keys.bodyHash, state.conversationId, packet.senderId);
  const { frame, frameBytes } = parseFrame(padded, packet, state);
  const lists = checkFrameList(working, packet.senderId, frame.deviceListVersion, frame.deviceListHash);
  const hash = await frameHashOf(frameBytes);
  const now = env.now();
  const track = working.tracks.find((t) => idEquals(t.senderId, packet.senderId)) ?? newSenderTrack(packet.senderId);
  const ownAck = frame.acks.find((a) => idEquals(a.sender, state.selfId))?.seq ?? 0;
  const order = acceptFrame(
    track,
    {
      seq: frame.seq,
      hash,
      prevHash: frame.prevHash,
      sentAt: frame.sentAt,
      body: frame.body,
      ownAck,
      listVersion: frame.deviceListVersion,
      prevListVersion: frame.prevListVersion,
    },
    now,
    working.listedSince,
  );
  const tracks = [...working.tracks.filter((t) => !idEquals(t.senderId, packet.senderId)), order.track];
  const acks = checkAcks(working, tracks, packet.senderId, frame.acks, now);
  const applied: ConversationState = {
    ...working,
    sessions: upsertSession(working.sessions, opened.session),
    tracks,
    claims: acks.claims,
  };
  const ticked = tickState(applied, now, false);
  const alerts: SecurityAlert[] = [
    ...firstContactAlerts,
    ...lists.alerts,
    ...alertsOf(order.notes, state.conversationId, packet.senderId),
    ...alertsOf(acks.notes, state.conversationId, packet.senderId),
    ...truncationAlerts(applied, order.released),
    ...ticked.alerts,
  ];
  return {
    step: {
      state: ticked.state,
      released: [...order.released, ...ticked.released],
      alerts,
      outgoing: [],
      peerListBehind: lists.peerListBehind,
      listBehind: lists.listBehind,
    },
    prekeys,
  };
}

/** Visitor side (or an agent packet that needs no prekeys): one packet in, the next state out. */
export async function receiveMessage(
  state: ConversationState,
  bytes: Uint8Array,
  env: ProtocolEnv,
): Promise<ConversationStep> {
  return (await receiveCore(state, bytes, env, undefined)).step;
}

/** Agent side: may start a session from a first contact (and consume a one-time prekey). */
export async function receiveAsAgent(
  state: ConversationState,
  bytes: Uint8Array,
  agent: AgentContext,
  env: ProtocolEnv,
): Promise<AgentStep> {
  const { step, prekeys } = await receiveCore(state, bytes, env, { context: agent, respond: respondToFirstContact });
  return { ...step, prekeys: prekeys ?? agent.prekeys };
}

/** Agent side, no state yet for this conversation: the packet must be a first contact. */
export async function openAgentConversation(
  bytes: Uint8Array,
  agent: AgentContext,
  env: ProtocolEnv,
): Promise<AgentStep> {
  const packet = decodePacket(bytes);
  if (packet.session.kind !== 'initial')
    throw new ProtocolStateError('the first packet of a conversation must be a first contact');
  return receiveAsAgent(
    blankAgentConversation(packet.conversationId, agent.device, agent.deviceList, agent.listedSince ?? 0),
    bytes,
    agent,
    env,
  );
}
