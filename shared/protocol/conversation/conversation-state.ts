/**
 * The state of one conversation on one participant (visitor or agent device) and the shapes
 * its transitions return (docs/PROTOCOL.md §7.1). Plain, versioned, structured-cloneable data:
 * a transition never mutates its input, and the caller saves the returned state BEFORE it
 * sends the outgoing packets, acks, or shows released messages (so a service worker killed
 * at any point never reuses a key or shows a message twice).
 */
import type { X25519KeyPair } from '../../crypto/index.js';
import type { ConversationId, DeviceId, Recipient } from '../../wire/index.js';
import type { ConversationDeviceList, SecurityAlert } from '../core/index.js';

export type { ConversationDeviceList } from '../core/index.js';
import type { ReleasedMessage, SenderTrack } from './conversation-order.js';
import type { DeviceKeys } from '../identity/index.js';
import type { PeerSession, PrekeyState } from '../session/index.js';

/**
 * Version 2 (PROTOCOL §7.1): `listedSince`, `lastSentListVersion`, and per track `firstSeq` and
 * `lastListVersion`. A stored version-1 state is refused, not converted (nothing was deployed).
 */
export const CONVERSATION_STATE_VERSION = 2;

export const CONVERSATION_ROLES = { visitor: 'visitor', agent: 'agent' } as const;
export type ConversationRole = (typeof CONVERSATION_ROLES)[keyof typeof CONVERSATION_ROLES];

/** Another device reported (in an ack) a message from `sender` this device has not released yet. */
export interface AckClaim {
  readonly by: DeviceId;
  readonly sender: DeviceId;
  readonly seq: number;
  readonly hash: Uint8Array;
  /** The list version the claimed frame names (PROTOCOL §7.7); always ≥ the state's `listedSince`. */
  readonly listVersion: number;
  readonly at: number;
}

export interface ConversationState {
  readonly version: typeof CONVERSATION_STATE_VERSION;
  readonly conversationId: ConversationId;
  readonly role: ConversationRole;
  readonly selfId: DeviceId;
  /** The visitor's id in this conversation (its own id on the visitor side). */
  readonly visitorId: DeviceId | null;
  /** Agent side: the visitor's per-conversation X25519 key, pinned at first contact (F2). */
  readonly visitorIdentityKey: Uint8Array | null;
  /** Visitor side: its per-conversation X25519 identity key pair. */
  readonly visitorIdentity: X25519KeyPair | null;
  readonly deviceList: ConversationDeviceList;
  /**
   * PROTOCOL §7.6 (L_D): the first device list version that names this participant, as far as it
   * can tell (a lower bound; 0 when it cannot). Frames before one whose `prevListVersion` is below it
   * were never sent here, and acks of frames on older lists claim nothing this participant should
   * have. The visitor never joins late: 0.
   */
  readonly listedSince: number;
  readonly sessions: readonly PeerSession[];
  /** Next sequence number this participant sends (from 1). */
  readonly nextSendSeq: number;
  readonly lastSentHash: Uint8Array;
  /** The `deviceListVersion` this participant's last frame named (0 before the first): the next frame's `prevListVersion`. */
  readonly lastSentListVersion: number;
  /** Hashes of this participant's recent frames, to check what peers acknowledge. */
  readonly sentHashes: readonly { readonly seq: number; readonly hash: Uint8Array }[];
  readonly tracks: readonly SenderTrack[];
  readonly claims: readonly AckClaim[];
  readonly closedBySelf: boolean;
  readonly ended: boolean;
}

/** One per-recipient packet to hand to the transport (an envelope body). */
export interface OutgoingPacket {
  readonly recipientId: DeviceId;
  readonly recipient: Recipient;
  readonly body: Uint8Array;
}

/** A peer whose frames name another device list version than this participant's (PROTOCOL §7.6). */
export interface ListLag {
  readonly peer: DeviceId;
  /** The version the peer's frame names. */
  readonly version: number;
}

export interface ConversationStep {
  readonly state: ConversationState;
  /** Messages to show, in sender order, each exactly once (late ones flagged). */
  readonly released: readonly ReleasedMessage[];
  readonly alerts: readonly SecurityAlert[];
  readonly outgoing: readonly OutgoingPacket[];
  /**
   * Peers that sent with an OLDER list than this participant's: the runtime sends its newest signed
   * lists in-band (a `deviceList` message, up to 2 lists), so they learn of revocations and additions.
   */
  readonly peerListBehind: readonly ListLag[];
  /** Peers that sent with a NEWER list: the runtime fetches the lists up to that version (link by link). */
  readonly listBehind: readonly ListLag[];
}

/** What an agent device brings to a conversation transition (kept outside the conversation state). */
export interface AgentContext {
  readonly device: DeviceKeys;
  readonly prekeys: PrekeyState;
  readonly deviceList: ConversationDeviceList;
  /**
   * The first list version naming this device, from its verified chain (PROTOCOL §7.6): kept as the
   * `listedSince` of a conversation this step opens. Absent: 0 (every frame may have been for it, as
   * for a device listed before the conversation began).
   */
  readonly listedSince?: number;
}

/** An agent step also returns its prekey state (a one-time prekey may have been consumed: save it). */
export interface AgentStep extends ConversationStep {
  readonly prekeys: PrekeyState;
}

export const CONVERSATION_LIMITS = {
  /** Sessions kept per peer device (two when both sides started one at once). */
  maxSessionsPerPeer: 2,
  /** Own frame hashes remembered for ack checks. */
  sentHashes: 64,
  /** Pending ack claims kept. */
  maxClaims: 128,
} as const;
