/**
 * Sending one conversation message (docs/PROTOCOL.md §7.4): the frame (seq, hash of the
 * previous own frame, acks, body) is padded and encrypted ONCE under a fresh content key; the
 * content key and the body hash go through each recipient's ratchet session. A visitor sends
 * to every listed agent device it has a session with; an agent device sends to the visitor and
 * to every other device of the account, so every device has the whole history.
 */
import { encode, idEquals, type DeviceId, type Recipient } from '../../wire/index.js';
import { type SecurityAlert, type ProtocolEnv, ProtocolStateError, type PrekeyBundle } from '../core/index.js';
import { acksToSend } from './conversation-acks.js';
import { type ConversationFrame, conversationPacketCodec, frameCodec, keyPacketCodec } from './conversation-codec.js';
import { frameHashOf, sealBody } from './conversation-content.js';
import { applyDeviceList } from './conversation-devices.js';
import { sendingSession, upsertSession } from './conversation-sessions.js';
import { sessionFromBundle } from './conversation-start.js';
import {
  CONVERSATION_LIMITS,
  CONVERSATION_ROLES,
  type ConversationDeviceList,
  type ConversationStep,
  type ConversationState,
  type OutgoingPacket,
} from './conversation-state.js';
import type { DeviceKeys } from '../identity/index.js';
import { type PeerSession, sealForPeer } from '../session/index.js';
import type { MessageBody } from './message-kinds.js';

/** What an agent device adds when it sends: its keys, and bundles for siblings it has no session with yet. */
export interface AgentSendContext {
  readonly device: DeviceKeys;
  readonly siblingBundles: readonly PrekeyBundle[];
  /** The device's current verified list: a newer one than the conversation's is applied first (F10). */
  readonly deviceList?: ConversationDeviceList;
}

interface Target {
  readonly peer: DeviceId;
  readonly recipient: Recipient;
}

function targetsOf(state: ConversationState): Target[] {
  if (state.role === CONVERSATION_ROLES.visitor) {
    return state.deviceList.devices.map((d) => ({
      peer: d.deviceId,
      recipient: { kind: 'device', deviceId: d.deviceId },
    }));
  }
  const siblings: Target[] = state.deviceList.devices
    .filter((d) => !idEquals(d.deviceId, state.selfId))
    .map((d) => ({ peer: d.deviceId, recipient: { kind: 'device', deviceId: d.deviceId } }));
  return state.visitorId === null ? siblings : [{ peer: state.visitorId, recipient: { kind: 'visitor' } }, ...siblings];
}

/** PROTOCOL §7.2: this participant's next frame (its seq, the hash it links to, its list, its acks). */
export function nextFrame(state: ConversationState, body: MessageBody, env: ProtocolEnv): ConversationFrame {
  return {
    conversationId: state.conversationId,
    senderId: state.selfId,
    seq: state.nextSendSeq,
    prevHash: state.lastSentHash,
    sentAt: env.now(),
    deviceListVersion: state.deviceList.version,
    deviceListHash: state.deviceList.hash,
    prevListVersion: state.lastSentListVersion,
    acks: acksToSend(state),
    body,
  };
}

export async function sendMessage(
  current: ConversationState,
  body: MessageBody,
  env: ProtocolEnv,
  agent?: AgentSendContext,
): Promise<ConversationStep> {
  const state =
    agent?.deviceList !== undefined && agent.deviceList.version > current.deviceList.version
      ? (await applyDeviceList(current, agent.deviceList, [], env)).state
      : current;
  if (state.closedBySelf || state.ended)
    throw new ProtocolStateError('this conversation is closed: nothing more can be sent');
  if (state.role === CONVERSATION_ROLES.agent && agent === undefined)
    throw new ProtocolStateError('an agent device needs its keys to send');
  const frame = nextFrame(state, body, env);
  const frameBytes = encode(frameCodec, frame);
  // Independent: the frame hash and the body encryption (sealBody draws its key before any await).
  const [hash, sealed] = await Promise.all([
    frameHashOf(frameBytes),
    sealBody(frameBytes, state.conversationId, state.selfId, env),
  ]);
  const keyPacket = encode(keyPacketCodec, { contentKey: sealed.contentKey, bodyHash: sealed.bodyHash });

  // 1. The session for each recipient, in order (a sibling without one gets an X3DH now; that
  //    draws randomness, so this part stays one by one).
  const alerts: SecurityAlert[] = [];
  const chosen: { target: Target; session: PeerSession }[] = [];
  for (const target of targetsOf(state)) {
    let session = sendingSession(state, target.peer);
    if (session === undefined && state.role === CONVERSATION_ROLES.agent && agent !== undefined) {
      // A sibling device without a session yet: X3DH with its bundle, our DH identity key as IKA.
      const device = state.deviceList.devices.find((d) => idEquals(d.deviceId, target.peer));
      const bundle = agent.siblingBundles.find((b) => idEquals(b.deviceId, target.peer));
      if (device !== undefined && bundle !== undefined) {
        const outcome = await sessionFromBundle(
          agent.device.identityDh,
          state.selfId,
          state.conversationId,
          state.deviceList,
          device,
          bundle,
          env,
        );
        if ('alert' in outcome) alerts.push(outcome.alert);
        else session = outcome.session;
      }
    }
    if (session !== undefined) chosen.push({ target, session });
  }
  // 2. The ratchet steps are independent per recipient (no randomness): run together, then
  //    applied in recipient order, giving the same sessions and packets as one by one.
  const sealedAll = await Promise.all(chosen.map((c) => sealForPeer(c.session, keyPacket, agent?.device.signing)));
  let sessions: readonly PeerSession[] = state.sessions;
  const outgoing: OutgoingPacket[] = [];
  chosen.forEach(({ target }, i) => {
    const sealedForPeer = sealedAll[i];
    if (sealedForPeer === undefined) return;
    sessions = upsertSession(sessions, sealedForPeer.session);
    const packet = encode(conversationPacketCodec, {
      conversationId: state.conversationId,
      senderId: state.selfId,
      recipientId: target.peer,
      session: sealedForPeer.packet,
      body: sealed.body,
    });
    outgoing.push({ recipientId: target.peer, recipient: target.recipient, body: packet });
  });
  if (outgoing.length === 0) throw new ProtocolStateError('no recipient has a session: fetch prekey bundles first');
  return {
    state: {
      ...state,
      sessions,
      nextSendSeq: state.nextSendSeq + 1,
      lastSentHash: hash,
      lastSentListVersion: frame.deviceListVersion,
      sentHashes: [...state.sentHashes, { seq: frame.seq, hash }].slice(-CONVERSATION_LIMITS.sentHashes),
      closedBySelf: body.kind === 'close',
    },
    released: [],
    alerts,
    outgoing,
    peerListBehind: [],
    listBehind: [],
  };
}
