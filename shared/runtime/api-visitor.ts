/**
 * The visitor runtime's public API, used by the widget (docs/ARCHITECTURE.md, "The runtime API").
 * `createVisitorRuntime(ports)` returns a VisitorRuntime. Nothing is stored in the browser before
 * `openConversation` (no cookies, no localStorage, no IndexedDB writes).
 */
import type {
  AttachmentHandle,
  ChatMessage,
  ConnectionState,
  MessageId,
  MessageStatus,
  PlainAlert,
  ProgressListener,
  Subscribe,
  HexId,
} from './api-common.js';
import type { WidgetSettings } from '../protocol/index.js';

/**
 * The business's widget settings, verified against the pinned account key (docs/PROTOCOL.md §19):
 * business name, greeting, colour (#rrggbb), position, language, expected reply minutes, business
 * hours in a time zone, an optional pre-chat question.
 */
export type WidgetConfig = WidgetSettings;

export interface VisitorConversationView {
  readonly conversationId: HexId;
  readonly messages: readonly ChatMessage[];
  readonly closed: boolean;
  /** The alerts kept about it (its last 50, oldest first): a reload still shows a refusal. */
  readonly alerts: readonly PlainAlert[];
}

export interface VisitorReady {
  readonly business: { readonly name: string; readonly fingerprint: string };
  readonly config: WidgetConfig;
  /** A conversation resumed from this browser's storage, if any. */
  readonly conversation?: VisitorConversationView;
}

export interface VisitorEvents {
  readonly message: ChatMessage;
  readonly status: { readonly messageId: MessageId; readonly status: MessageStatus };
  readonly typing: { readonly agentName: string; readonly active: boolean };
  readonly alert: PlainAlert;
  readonly connection: ConnectionState;
  readonly closed: { readonly by: 'agent' | 'self' };
}

export interface VisitorRuntime {
  /**
   * Verifies the device-list chain and the signed widget configuration against the snippet pin;
   * resumes a stored conversation. Rejects with PinMismatchError, RollbackError, EquivocationError
   * or SignatureError: the widget then refuses to start and says so.
   */
  start(): Promise<VisitorReady>;
  openConversation(prechat?: { readonly question: string; readonly answer: string }): Promise<VisitorConversationView>;
  sendText(text: string): Promise<MessageId>;
  setTyping(active: boolean): Promise<void>;
  markRead(messageId: MessageId): Promise<void>;
  sendAttachment(file: Blob, name: string, onProgress?: ProgressListener): Promise<MessageId>;
  openAttachment(handle: AttachmentHandle, onProgress?: ProgressListener): Promise<Blob>;
  close(reason?: string): Promise<void>;
  /** Deletes this conversation from this browser (keys, states, history). */
  erase(): Promise<void>;
  /** The per-conversation safety code and the device-list version it covers. */
  safetyCode(): Promise<{ readonly code: string; readonly listVersion: number }>;
  readonly on: Subscribe<VisitorEvents>;
  /** Stops timers and sockets (the page is going away). */
  dispose(): void;
}
