/**
 * The AgentRuntime methods and events the bridge carries. Both lists are checked against the
 * interface at compile time, so a method added to shared/runtime cannot be forgotten here.
 */
import type { AgentEvents, AgentRuntime } from '../../shared/runtime/index.js';

export type RuntimeMethod = Exclude<keyof AgentRuntime, 'on' | 'dispose'>;
export type AgentEventType = keyof AgentEvents;

export const RUNTIME_METHODS = [
  'status',
  'eraseDevice',
  'createAccount',
  'startLinkAsExistingDevice',
  'linkAsNewDevice',
  'confirmLink',
  'cancelLink',
  'recoverWithRecoveryKey',
  'devices',
  'revokeDevice',
  'setRole',
  'removeAgent',
  'pendingChangeRequests',
  'decideChangeRequest',
  'fingerprint',
  'snippet',
  'widgetConfig',
  'publishWidgetConfig',
  'conversations',
  'history',
  'alerts',
  'dismissAlert',
  'sendText',
  'setTyping',
  'markRead',
  'sendAttachment',
  'openAttachment',
  'close',
  'safetyCode',
  'searchMessages',
  'assign',
  'setStatus',
  'addNote',
  'setViewing',
  'setComposing',
  'teamActivity',
  'blockVisitor',
  'unblockVisitor',
  'blockedConversations',
  'cannedReplies',
  'saveCannedReply',
  'deleteCannedReply',
  'presence',
  'setPresence',
  'setIdle',
  'pushPublicKey',
  'registerPushSubscription',
  'pushSubscriptionEndpoint',
  'removePushSubscription',
] as const satisfies readonly RuntimeMethod[];

export const AGENT_EVENT_TYPES = [
  'conversation',
  'message',
  'status',
  'typing',
  'alert',
  'connection',
  'devices',
  'link',
  'changeRequest',
  'changeRequestDenied',
  'cannedReplies',
  'presence',
  'teamActivity',
  'removed',
] as const satisfies readonly AgentEventType[];

/** Compile-time completeness: a method or event missing from a list above fails the typecheck here. */
type AssertNever<T extends never> = T;
export type MissingMethods = AssertNever<Exclude<RuntimeMethod, (typeof RUNTIME_METHODS)[number]>>;
export type MissingEvents = AssertNever<Exclude<AgentEventType, (typeof AGENT_EVENT_TYPES)[number]>>;

const methodNames: ReadonlySet<string> = new Set(RUNTIME_METHODS);
const eventNames: ReadonlySet<string> = new Set(AGENT_EVENT_TYPES);

export function isRuntimeMethod(name: unknown): name is RuntimeMethod {
  return typeof name === 'string' && methodNames.has(name);
}

export function isAgentEventType(name: unknown): name is AgentEventType {
  return typeof name === 'string' && eventNames.has(name);
}
