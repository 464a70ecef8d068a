/**
 * Shapes both runtimes hand to a user interface (docs/ARCHITECTURE.md, "The runtime API"). They
 * are plain data: a UI renders them and never sees keys, ratchet states or ciphertext.
 */

/** A message's stable id across reloads: `${senderDeviceIdHex}:${seq}`. */
export type MessageId = string;

/** Lower-case hex of a 16-byte id (conversation, device, agent). */
export type HexId = string;

export const MESSAGE_STATUSES = {
  /** Saved on this device, not yet confirmed by the relay (the outbox re-sends it). */
  sending: 'sending',
  /** The relay confirmed it durably (`stored`). */
  stored: 'stored',
  /** A recipient's acknowledgement covers it. */
  delivered: 'delivered',
  /** A recipient sent a read receipt for it. */
  read: 'read',
} as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[keyof typeof MESSAGE_STATUSES];

/** What a person can do with an attachment without holding its key: ask the runtime to open it. */
export interface AttachmentHandle {
  /**
   * The conversation the message is in: a message id (`<sender>:<seq>`) is unique only within its
   * conversation — an agent device's sequence numbers start at 1 in each one.
   */
  readonly conversationId: HexId;
  readonly messageId: MessageId;
  readonly name: string;
  readonly mime: string;
  /** Plaintext size in bytes. */
  readonly size: number;
}

export type ChatBody =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'attachment'; readonly attachment: AttachmentHandle }
  /** Team-internal note: agent devices only, never sent to the visitor. */
  | { readonly kind: 'note'; readonly text: string }
  | { readonly kind: 'close'; readonly reason: string };

export interface ChatMessage {
  readonly id: MessageId;
  readonly conversationId: HexId;
  /** 'self' is this device; 'agent' another agent device of the business; 'visitor' the visitor. */
  readonly from: 'self' | 'agent' | 'visitor';
  readonly senderDeviceId: HexId;
  /** The agent's display name from the signed device list (agent messages only). */
  readonly agentName?: string;
  /** The sender's clock, milliseconds since the epoch (not trusted for order). */
  readonly sentAt: number;
  readonly receivedAt: number;
  readonly body: ChatBody;
  /** Own messages only. */
  readonly status?: MessageStatus;
  /** Arrived after its gap was declared: shown apart, not in the ordered stream. */
  readonly late?: true;
}

export const ALERT_SEVERITIES = { info: 'info', warning: 'warning', danger: 'danger' } as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[keyof typeof ALERT_SEVERITIES];

/** A protocol alert in words a person can act on (the protocol's alert kind is kept for tests and logs). */
export interface PlainAlert {
  readonly kind: string;
  readonly severity: AlertSeverity;
  /** One short line, e.g. "A message may be missing". */
  readonly title: string;
  /** What happened and what to do, without ids a person cannot use. */
  readonly text: string;
  readonly conversationId?: HexId;
  /**
   * Given by the runtime when it raises the alert (16 hex digits): the same alert from the `alert`
   * event and from `alerts()` after a reload carries the same id, so it is shown once.
   */
  readonly id?: string;
  /** Dismissed by the person on this device (agent runtime `dismissAlert`): kept, listed, not shown as active. */
  readonly dismissed?: true;
}

export const CONNECTION_STATES = {
  offline: 'offline',
  connecting: 'connecting',
  online: 'online',
  reconnecting: 'reconnecting',
} as const;
export type ConnectionState = (typeof CONNECTION_STATES)[keyof typeof CONNECTION_STATES];

/** Progress of long work (key stretching, uploads, history sync): `done` of `total` units. */
export type ProgressListener = (done: number, total: number) => void;

/** Subscribe to one event type; returns the function that unsubscribes. */
export type Subscribe<Events> = <K extends keyof Events>(type: K, listener: (event: Events[K]) => void) => () => void;
