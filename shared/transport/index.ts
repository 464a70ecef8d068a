/**
 * shared/transport: the one relay client of Sealdesk (docs/PROTOCOL.md §16–§17,
 * docs/OPERATIONS.md "HTTP API"). HTTP (directory, conversations, attachments, OPAQUE and device
 * sessions) and the WebSocket connection with its outbox, acks, reconnects and resume.
 * The OPAQUE client for agent apps is a separate entry point: shared/transport/opaque/index.js.
 */
export {
  type CloseEventLike,
  type Cancel,
  type FetchLike,
  type MessageEventLike,
  SOCKET_OPEN,
  type Timers,
  type WebSocketConstructor,
  type WebSocketLike,
  systemTimers,
} from './ports.js';
export {
  AbortedError,
  BadRequestError,
  BadResponseError,
  ConflictError,
  ForbiddenError,
  BlockedError,
  GoneError,
  NotFoundError,
  RateLimitedError,
  RelayError,
  type RelayErrorDetails,
  ServerError,
  TimeoutError,
  TooLargeError,
  UnauthorizedError,
  UnreachableError,
} from './relay-errors.js';
export { CLOSE_CODES, errorFromClose, errorFromFrame, errorFromStatus, isPermanentSendError } from './error-mapping.js';
export type { OpaqueClient } from './opaque-port.js';
export { type DeviceCredentials, type Signer, ed25519Signer, signChallenge } from './signer.js';
export { type RelayHttp, createRelayHttp } from './http/relay-http.js';
export { type VisitorHttp, createVisitorHttp } from './http/visitor-http.js';
export type { CallOptions, RelayAuth, RelayHttpOptions } from './http/relay-request.js';
export type { AccountSession, AuthApi, Session } from './http/auth-api.js';
export {
  type BundleBlob,
  type DirectoryApi,
  type DirectoryReads,
  MAX_CHAIN_FETCH,
  type SignedListBlob,
} from './http/directory-api.js';
export type { ConversationApi, DownloadOptions, VisitorConversationApi } from './http/conversation-api.js';
export type { LinkApi, LinkSlot } from './http/link-api.js';
export type { IdentityBackupUpload, RecoveryApi } from './http/recovery-api.js';
export type { PushApi, PushSubscriptionKeys } from './http/push-api.js';
export type { ArchiveApi, ArchiveGrantBlob, HistoryRecordBlob } from './http/archive-api.js';
export { type Hello, helloFrame, helloQueue } from './ws/hello.js';
export { AckPacer } from './ws/ack-pacer.js';
export { type BackoffPolicy, backoffDelay } from './ws/backoff.js';
export { CLOSE_CLIENT_GAVE_UP, type OpenSocketOptions, RelaySocket, type SocketListener } from './ws/relay-socket.js';
export { decodeRelayFrameFast } from './ws/relay-frame-fast.js';
export {
  CONNECTION_STATUSES,
  type ConnectionEvent,
  type ConnectionStatus,
  type ConnectionTuning,
  DEFAULT_TUNING,
  type Delivery,
  type DeliveryHandler,
  RelayConnection,
  type RelayConnectionOptions,
  type SaveDelivery,
} from './ws/relay-connection.js';
