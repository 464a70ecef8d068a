/**
 * shared/protocol/conversation: the public API of this sub-module; code outside it imports only this file
 * (docs/ARCHITECTURE.md).
 *
 * Conversations (docs/PROTOCOL.md §7): the transitions a client calls (start, send, receive,
 * tick, end, device list changes), their state shapes, message kinds, padding and alerts.
 */
export { rejectionAlert } from './conversation-alerts.js';
export {
  type AckEntry,
  type ConversationFrame,
  type ConversationPacket,
  conversationPacketCodec,
  frameCodec,
  type KeyPacket,
  keyPacketCodec,
} from './conversation-codec.js';
export { applyDeviceList } from './conversation-devices.js';
export { DeviceListBehindError, FrameAfterCloseError } from './conversation-errors.js';
export { conversationIdOf, visitorIdOf } from './conversation-ids.js';
export { endConversation, tick } from './conversation-end.js';
export { ORDER_LIMITS, type ReleasedMessage, ZERO_HASH } from './conversation-order.js';
export { openAgentConversation, receiveAsAgent, receiveMessage } from './conversation-receive.js';
export { type AgentSendContext, sendMessage } from './conversation-send.js';
export { sessionFromBundle, startVisitorConversation } from './conversation-start.js';
export {
  type AgentContext,
  type AgentStep,
  CONVERSATION_LIMITS,
  CONVERSATION_STATE_VERSION,
  type ConversationDeviceList,
  type ConversationRole,
  type ConversationState,
  type ConversationStep,
  type OutgoingPacket,
} from './conversation-state.js';
export { MESSAGE_LIMITS, type MessageBody, type MessageKind } from './message-kinds.js';
export { pad, unpad } from './padding.js';
