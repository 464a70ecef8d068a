/**
 * Names of the relay queues a client keeps a delivery cursor for (PROTOCOL §16.2 `resumeAfter`):
 * a device's own queue, and a visitor's queue of one conversation.
 */
import { type ConversationId, type DeviceId, idToHex } from '../wire/index.js';

export type CursorQueue = string & { readonly __brand: 'CursorQueue' };

export function deviceQueue(deviceId: DeviceId): CursorQueue {
  return `device:${idToHex(deviceId)}` as CursorQueue;
}

export function visitorQueue(conversationId: ConversationId): CursorQueue {
  return `visitor:${idToHex(conversationId)}` as CursorQueue;
}

const QUEUE_PATTERN = /^(device|visitor):[0-9a-f]{32}$/;

export function isCursorQueue(text: string): text is CursorQueue {
  return QUEUE_PATTERN.test(text);
}
