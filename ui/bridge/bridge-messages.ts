/**
 * The bridge protocol between a UI page and the runtime host (one channel per page).
 *
 * page → host: `call` (a runtime method with encoded arguments; progress callbacks replaced by
 * PROGRESS_MARKER).
 * host → page: `ready` once the runtime runs (or `failed` with the reason it cannot start),
 * `result` / `error` / `progress` for a call, `event` for every runtime event.
 */
import { BridgeProtocolError } from '../errors/app-errors.js';
import { isAgentEventType, isRuntimeMethod, type AgentEventType, type RuntimeMethod } from './runtime-methods.js';

export const PROGRESS_MARKER = { $progress: true } as const;

export interface CallMessage {
  readonly t: 'call';
  readonly id: number;
  readonly method: RuntimeMethod;
  readonly args: readonly unknown[];
}

export interface ErrorPayload {
  readonly code: string;
  readonly name: string;
  readonly message: string;
}

export type HostMessage =
  | { readonly t: 'ready' }
  | ({ readonly t: 'failed' } & ErrorPayload)
  | { readonly t: 'result'; readonly id: number; readonly value?: unknown }
  | ({ readonly t: 'error'; readonly id: number } & ErrorPayload)
  | { readonly t: 'progress'; readonly id: number; readonly done: number; readonly total: number }
  | { readonly t: 'event'; readonly type: AgentEventType; readonly payload: unknown };

const MAX_ARGS = 8;

function asRecord(message: unknown): Record<string, unknown> {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    throw new BridgeProtocolError('a bridge message is not an object');
  }
  return message as Record<string, unknown>;
}

function callId(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new BridgeProtocolError('a bridge message has no valid call id');
  }
  return value;
}

function text(record: Record<string, unknown>, key: string): string {
  const value = record[key];
  if (typeof value !== 'string') throw new BridgeProtocolError(`a bridge message lacks the text field ${key}`);
  return value;
}

function errorPayload(record: Record<string, unknown>): ErrorPayload {
  return { code: text(record, 'code'), name: text(record, 'name'), message: text(record, 'message') };
}

export function parseCallMessage(message: unknown): CallMessage {
  const record = asRecord(message);
  if (record['t'] !== 'call') throw new BridgeProtocolError('the host accepts only call messages');
  const method = record['method'];
  if (!isRuntimeMethod(method)) throw new BridgeProtocolError('a call names no runtime method');
  const args = record['args'];
  if (!Array.isArray(args) || args.length > MAX_ARGS) throw new BridgeProtocolError('a call has no argument list');
  return { t: 'call', id: callId(record['id']), method, args: args as unknown[] };
}

export function parseHostMessage(message: unknown): HostMessage {
  const record = asRecord(message);
  switch (record['t']) {
    case 'ready':
      return { t: 'ready' };
    case 'failed':
      return { t: 'failed', ...errorPayload(record) };
    case 'result':
      return { t: 'result', id: callId(record['id']), value: record['value'] };
    case 'error':
      return { t: 'error', id: callId(record['id']), ...errorPayload(record) };
    case 'progress': {
      const { done, total } = record;
      if (typeof done !== 'number' || typeof total !== 'number') {
        throw new BridgeProtocolError('a progress message lacks done or total');
      }
      return { t: 'progress', id: callId(record['id']), done, total };
    }
    case 'event': {
      const type = record['type'];
      if (!isAgentEventType(type)) throw new BridgeProtocolError('an event message names no runtime event');
      return { t: 'event', type, payload: record['payload'] };
    }
    default:
      throw new BridgeProtocolError('a host message has an unknown type');
  }
}

export function isProgressMarker(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as Record<string, unknown>)['$progress'] === true;
}

/** An error as it crosses the bridge: its stable code, class name and person-facing message. */
export function errorToPayload(error: unknown): ErrorPayload {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { code: typeof code === 'string' ? code : 'internal', name: error.name, message: error.message };
  }
  return { code: 'internal', name: 'Error', message: 'The runtime failed without saying why.' };
}
