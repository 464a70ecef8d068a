/** shared/runtime: the composition roots under the widget, the extension and the PWA (docs/ARCHITECTURE.md). */
export type * from './api-common.js';
export type * from './api-visitor.js';
export type * from './api-agent.js';
export { ALERT_SEVERITIES, CONNECTION_STATES, MESSAGE_STATUSES } from './api-common.js';
export { type VisitorRuntimePorts, createVisitorRuntime } from './visitor-runtime.js';
export { type AgentRuntimePorts, createAgentRuntime } from './agent-runtime.js';
export type { RuntimePlatform } from './platform.js';
export {
  RUNTIME_RECORD_VERSIONS,
  type RuntimeShapes,
  type RuntimeStore,
  type VisitorStorage,
  indexedDbVisitorStorage,
  memoryStore,
  memoryVisitorStorage,
} from './runtime-shapes.js';
/** What the store holds of a conversation (the runtime's layout, versions 1 and 2). */
export type { ConversationRecord, ConversationRecordV1, StoredConversationRecord } from './conversation-record.js';
export type { MessageRow } from './conversation-messages.js';
export {
  AccountKeyRequiredError,
  BusinessNotReadyError,
  CannedReplyNotFoundError,
  CHANGE_REQUEST_DENIED,
  ChangeRequestDeniedError,
  ConversationClosedError,
  DeviceRemovedError,
  EraseNotAllowedError,
  NotStartedError,
  NotSupportedYetError,
} from './runtime-errors.js';
export { RELAY_REFUSED_ALERT_KIND } from './agent-removal.js';
export { RecoveryKeyRejectedError } from './agent-recovery-backup.js';
export { defaultWidgetConfig } from './widget-config-reading.js';
export { RUNTIME_ALERT_KINDS, plainAlert } from './plain-alerts.js';
export { REFUSAL_KINDS, refusalAlert } from './relay-refusals.js';
