/**
 * The agent runtime's public API, used by the extension and the PWA through ui/ (docs/ARCHITECTURE.md,
 * "The runtime API"). `createAgentRuntime(ports)` returns an AgentRuntime. Private keys never leave
 * it; the UI receives plain data and events.
 */
import type {
  AttachmentHandle,
  ChatMessage,
  ConnectionState,
  HexId,
  MessageId,
  MessageStatus,
  PlainAlert,
  ProgressListener,
  Subscribe,
} from './api-common.js';
import type { WidgetConfig } from './api-visitor.js';
import type { PushSubscriptionKeys } from '../transport/index.js';

export type AgentRole = 'owner' | 'admin' | 'agent';
export type AgentDeviceKind = 'extension' | 'pwa';

export interface DeviceView {
  readonly deviceId: HexId;
  readonly agentId: HexId;
  readonly agentName: string;
  readonly role: AgentRole;
  readonly kind: AgentDeviceKind;
  /** The device that added it (linking sponsor); itself for the first device. */
  readonly sponsor: HexId;
  readonly self: boolean;
  readonly lastSeen?: number;
}

export interface ConversationSummary {
  readonly conversationId: HexId;
  /** Decrypted locally from the last message. */
  readonly preview: string;
  readonly lastActivity: number;
  readonly unread: number;
  /**
   * From the team's events (PROTOCOL §9.8): the last status set, a snooze ending when its time
   * comes or the visitor writes; without any, `resolved` once the conversation is closed.
   */
  readonly status: 'open' | 'snoozed' | 'resolved';
  readonly snoozedUntil?: number;
  /** The agent id the conversation is assigned to (§9.8); absent when unassigned. */
  readonly assignee?: HexId;
  readonly closed: boolean;
  /**
   * This device joined after the conversation began: it holds the archived history (PROTOCOL §9.6)
   * and perhaps its siblings' later frames, but no session with the visitor, so it cannot reply (a
   * send is NotStartedError) until the visitor's next message reaches it (§7.6). Internal notes and
   * team changes work; typing and read receipts are not sent until then (they would reach only the
   * siblings and show the visitor a false gap later).
   */
  readonly joinedLate?: true;
}

/** A conversation whose visitor the account blocked at the relay (PROTOCOL §16.10). */
export interface BlockedVisitor {
  readonly conversationId: HexId;
  /** When the relay recorded the block (ms since the epoch, the relay's clock). */
  readonly blockedAt: number;
}

/** A search result (issue #15 item 3): one message of this device's own history that matched. */
export interface SearchHit {
  readonly conversationId: HexId;
  readonly messageId: MessageId;
  readonly from: ChatMessage['from'];
  readonly agentName?: string;
  readonly sentAt: number;
  /** The matched message's text (or attachment name), whole: the UI highlights `terms`. */
  readonly text: string;
  /** The indexed terms that matched (after prefix and fuzzy expansion). */
  readonly terms: readonly string[];
}

/** A canned reply (PROTOCOL §9.7): team-only, inserted into the composer and sent as a normal message. */
export interface CannedReply {
  readonly id: HexId;
  /** 1–32 letters, digits, "-" or "_": typed after "/" in the composer. */
  readonly shortcut: string;
  readonly body: string;
  /** The device whose change is the one held (last writer wins). */
  readonly updatedBy: HexId;
}

/** A new reply (no `id`) or a new text for an existing one. */
export interface CannedReplyInput {
  readonly id?: HexId;
  readonly shortcut: string;
  readonly body: string;
}

export type PresenceStatus = 'online' | 'away';

/** The status an agent set (PROTOCOL §9.7); agents who never set one are not listed. */
export interface AgentPresence {
  readonly agentId: HexId;
  readonly status: PresenceStatus;
}

/** What another agent is doing in a conversation (PROTOCOL §9.9), as far as their signals say. */
export type TeamActivityKind = 'viewing' | 'typing';

export interface TeamMemberActivity {
  readonly agentId: HexId;
  readonly agentName: string;
  readonly activity: TeamActivityKind;
}

/** The other agents seen in one conversation (this device's own agent is never listed). */
export interface ConversationActivity {
  readonly conversationId: HexId;
  readonly agents: readonly TeamMemberActivity[];
}

export interface AccountCreated {
  /** Shown once; never stored by Sealdesk. */
  readonly recoveryKey: string;
  readonly fingerprint: string;
}

export type LinkPhase =
  | { readonly phase: 'waiting-for-peer' }
  | { readonly phase: 'compare-codes'; readonly code: string }
  | { readonly phase: 'waiting-for-approval' }
  /** An owner device denied the change request that would list the new device (PROTOCOL §4.5). */
  | { readonly phase: 'declined' }
  | { readonly phase: 'linked' }
  | { readonly phase: 'aborted'; readonly reason: string };

/** A new agent: the name visitors see (PROTOCOL §4.6) and the role (§4.5). */
export interface AgentInvite {
  readonly agentName: string;
  readonly role: AgentRole;
}

/** A signed change request (PROTOCOL §4.5) waiting on an owner device; `id` names it in decideChangeRequest. */
export interface ChangeRequestView {
  readonly id: string;
  readonly requester: DeviceView;
  readonly summary: string;
}

/** This device's change request, denied by an owner device (PROTOCOL §4.5): nothing will change. */
export interface ChangeRequestDenial {
  readonly id: string;
  readonly summary: string;
}

/**
 * PROTOCOL §4.8: the verified device list no longer names this device (an owner removed it). Terminal:
 * the runtime stopped connecting, syncing and replenishing prekeys; sends are DeviceRemovedError.
 */
export interface DeviceRemoval {
  /** The version of the verified list that no longer names this device. */
  readonly listVersion: number;
  /** When that list was signed (its issuedAt, ms since the epoch), if known. */
  readonly at?: number;
  /**
   * The business's name as this device last had it (from the verified widget configuration it
   * read or signed, or the account's creation here); absent when it never had it.
   */
  readonly businessName?: string;
}

export interface AgentEvents {
  readonly conversation: ConversationSummary;
  readonly message: ChatMessage;
  readonly status: { readonly messageId: MessageId; readonly status: MessageStatus };
  readonly typing: { readonly conversationId: HexId; readonly who: string; readonly active: boolean };
  readonly alert: PlainAlert;
  readonly connection: ConnectionState;
  /**
   * The signed device list changed (a person should be told, especially about added devices): once
   * per newer list version this device adopts, whichever way it learnt of it (agent-device-changes.ts).
   */
  readonly devices: { readonly added: readonly DeviceView[]; readonly removed: readonly DeviceView[] };
  readonly link: LinkPhase;
  readonly changeRequest: ChangeRequestView;
  readonly changeRequestDenied: ChangeRequestDenial;
  /** The canned replies changed (read at a sync, or changed on this device). */
  readonly cannedReplies: readonly CannedReply[];
  /** An agent's status changed (read at a sync, or set on this device). */
  readonly presence: readonly AgentPresence[];
  /** Who else on the team views or types in which conversation changed (PROTOCOL §9.9): the whole list. */
  readonly teamActivity: readonly ConversationActivity[];
  /** PROTOCOL §4.8: this device was removed (told once; `status().removed` says it after a restart too). */
  readonly removed: DeviceRemoval;
}

export interface AgentRuntime {
  /** Whether this device is set up (account created or linked) — the UI shows onboarding otherwise. */
  status(): Promise<{
    readonly enrolled: boolean;
    readonly relayUrl?: string;
    readonly accountId?: HexId;
    /** Set once the verified device list no longer names this device (PROTOCOL §4.8). */
    readonly removed?: DeviceRemoval;
  }>;
  /**
   * PROTOCOL §4.8: a removed device deletes everything it stored (its databases); refused with
   * EraseNotAllowedError on a device that was not removed. The runtime is finished afterwards.
   */
  eraseDevice(): Promise<void>;
  createAccount(
    input: {
      readonly relayUrl: string;
      readonly businessName: string;
      readonly ownerName: string;
      readonly username: string;
      readonly password: string;
      readonly deviceKind: AgentDeviceKind;
    },
    onProgress?: ProgressListener,
  ): Promise<AccountCreated>;
  /**
   * Existing device (PROTOCOL §10): starts a link attempt and returns its payload to show, as QR
   * bytes (`qr`) and as the typed code (`code`); then waits for the new device (events `link`).
   * Without `invite` the new device joins this device's agent; with it, the new device is the first
   * device of a new agent with that name and role (an owner device; PROTOCOL §4.5).
   */
  startLinkAsExistingDevice(invite?: AgentInvite): Promise<{ readonly qr: Uint8Array; readonly code: string }>;
  /** New device: the QR bytes scanned from the existing device, or its code pasted/typed. */
  linkAsNewDevice(input: {
    readonly relayUrl: string;
    readonly scanned: Uint8Array | string;
    readonly deviceKind: AgentDeviceKind;
  }): Promise<void>;
  /** Both screens show the same 6 digits? A mismatch aborts with nothing released. */
  confirmLink(sameCode: boolean): Promise<void>;
  cancelLink(): Promise<void>;
  /**
   * No device at hand (PROTOCOL §11.4): password + recovery key make this device an owner device.
   * The recovered owner's old (lost) devices leave the list unless `keepOldDevices`. Errors:
   * DecodeError (a typing mistake in the key), UnauthorizedError (wrong username or password),
   * RecoveryKeyRejectedError (the key does not open the backup); nothing is changed by them.
   */
  recoverWithRecoveryKey(
    input: {
      readonly relayUrl: string;
      readonly username: string;
      readonly password: string;
      readonly recoveryKey: string;
      readonly deviceKind: AgentDeviceKind;
      readonly keepOldDevices?: boolean;
    },
    onProgress?: ProgressListener,
  ): Promise<void>;

  devices(): Promise<readonly DeviceView[]>;
  revokeDevice(deviceId: HexId, options?: { readonly andSponsored?: boolean }): Promise<void>;
  setRole(agentId: HexId, role: AgentRole): Promise<void>;
  removeAgent(agentId: HexId): Promise<void>;
  pendingChangeRequests(): Promise<readonly ChangeRequestView[]>;
  decideChangeRequest(id: string, approve: boolean): Promise<void>;

  fingerprint(): Promise<string>;
  snippet(mode: 'default' | 'isolated'): Promise<string>;
  widgetConfig(): Promise<WidgetConfig | undefined>;
  publishWidgetConfig(config: WidgetConfig): Promise<void>;

  conversations(): Promise<readonly ConversationSummary[]>;
  history(conversationId: HexId): Promise<readonly ChatMessage[]>;
  /**
   * The alerts kept about a conversation (its last 50, oldest first), or without an id the last 50
   * raised about no conversation this device held: a page that attached after an `alert` event
   * still shows it. Each carries the `id` its event had (docs/ARCHITECTURE.md "Alerts are kept").
   */
  alerts(conversationId?: HexId): Promise<readonly PlainAlert[]>;
  /**
   * Keeps the alert `id` (16 hex digits) dismissed on this device: `alerts()` still lists it, with
   * `dismissed: true`, after any restart. `conversationId` is the alert's own (absent for an alert
   * about no conversation). An id no longer kept changes nothing; a malformed one is InvalidContentError.
   */
  dismissAlert(id: string, conversationId?: HexId): Promise<void>;
  sendText(conversationId: HexId, text: string): Promise<MessageId>;
  setTyping(conversationId: HexId, active: boolean): Promise<void>;
  markRead(conversationId: HexId, messageId: MessageId): Promise<void>;
  sendAttachment(conversationId: HexId, file: Blob, name: string, onProgress?: ProgressListener): Promise<MessageId>;
  openAttachment(handle: AttachmentHandle, onProgress?: ProgressListener): Promise<Blob>;
  close(conversationId: HexId, reason?: string): Promise<void>;
  safetyCode(conversationId: HexId): Promise<{ readonly code: string; readonly listVersion: number }>;
  /**
   * Full-text search over this device's decrypted history, on the device (prefix and typo-tolerant;
   * every word must match). The index lives in this device's storage and is rebuilt if lost.
   */
  searchMessages(query: string, limit?: number): Promise<readonly SearchHit[]>;
  /**
   * Team state (PROTOCOL §9.8), shared with every device of the account as encrypted team events:
   * the relay stores ciphertext only, and nothing of it reaches the visitor. Each resolves once the
   * event is saved on this device (it is sent then, or when the current archive key arrives); the
   * change shows in `conversation` events (and `message` for a note) on every device.
   */
  assign(conversationId: HexId, agentId: HexId | null): Promise<void>;
  setStatus(conversationId: HexId, status: 'open' | 'resolved' | { readonly snoozedUntil: number }): Promise<void>;
  /** An internal note: a history entry of kind `note`, shown to the team only. */
  addNote(conversationId: HexId, text: string): Promise<void>;
  /**
   * Team activity (PROTOCOL §9.9, §16.12): tells the account's other connected devices, in
   * ephemeral signed and sealed signals the relay cannot read, that this agent views the
   * conversation (null: none open) or is typing in it (`true` on each keystroke, throttled here;
   * `false` when the draft is sent or cleared). Nothing is stored; the visitor gets none of it.
   */
  setViewing(conversationId: HexId | null): Promise<void>;
  setComposing(conversationId: HexId, active: boolean): Promise<void>;
  /** The other agents viewing or typing now, per conversation (also the `teamActivity` event). */
  teamActivity(): Promise<readonly ConversationActivity[]>;
  /**
   * Blocks the visitor of a conversation at the relay (PROTOCOL §16.10): its sockets are closed,
   * it cannot send or reopen, and this account's devices receive nothing more from it. Per
   * visitor key: a visitor who clears its storage comes back as a new conversation.
   */
  blockVisitor(conversationId: HexId): Promise<void>;
  /** Lifts a block (NotFoundError from the relay when it was not blocked). */
  unblockVisitor(conversationId: HexId): Promise<void>;
  /** The account's blocked conversations, newest first. */
  blockedConversations(): Promise<readonly BlockedVisitor[]>;

  /**
   * The team's canned replies (PROTOCOL §9.7), sorted by shortcut. With `sync` it first reads what
   * other devices changed (the composer's picker asks so when it opens).
   */
  cannedReplies(options?: { readonly sync?: boolean }): Promise<readonly CannedReply[]>;
  /** Creates or edits a reply (InvalidContentError for a shortcut or body PROTOCOL §9.7 refuses). */
  saveCannedReply(input: CannedReplyInput): Promise<CannedReply>;
  /** Deletes a reply on every device of the account (CannedReplyNotFoundError when not held). */
  deleteCannedReply(id: HexId): Promise<void>;
  /** Each agent's status, as far as this device has read. */
  presence(): Promise<readonly AgentPresence[]>;
  /** Sets this device's agent's status for the whole team. */
  setPresence(status: PresenceStatus): Promise<void>;
  /**
   * This device went idle (`true`) or is in use again (issue #15 item 1, agent-auto-away.ts): idle
   * sets the agent away unless it is away already, marked automatic on this device; in use undoes
   * only an automatic away. A presence record is written only when the status changes.
   */
  setIdle(idle: boolean): Promise<void>;
  /**
   * Web Push for this device (PROTOCOL §16.9). The relay's VAPID public key (the
   * `applicationServerKey`; undefined when the relay sends no push), then the subscription the
   * browser gave, registered for this device only (the relay refuses endpoints that are not https
   * or that name a private or loopback address); the endpoint held now; and its removal.
   */
  pushPublicKey(): Promise<Uint8Array | undefined>;
  registerPushSubscription(subscription: PushSubscriptionKeys): Promise<void>;
  pushSubscriptionEndpoint(): Promise<string | undefined>;
  removePushSubscription(): Promise<boolean>;

  readonly on: Subscribe<AgentEvents>;
  dispose(): void;
}
