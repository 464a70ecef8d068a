/**
 * Payloads on the bus, between relay nodes of one cluster (never seen by clients). Version byte
 * first, then the publishing node's id (so a node drops its own: Redis echoes them):
 *
 *   message  0x01 | node id (8) | seq (u64) | previous (u64) | envelope      on the queue's channel
 *   gone     0x02 | node id (8) | queue key (ASCII)                          on the control channel
 *
 * A message carries its envelope so that the receiving node can deliver without reading the
 * store; it is still only a wake-up: a node that has not delivered up to `previous` fetches from
 * the store instead (ws/connection.ts). Decoding is strict; anything else is dropped and counted.
 */
import type { QueueKey } from '../store/store.js';
import { checkedQueue } from './bus.js';

const MESSAGE = 0x01;
const GONE = 0x02;
export const NODE_ID_BYTES = 8;
const HEADER = 1 + NODE_ID_BYTES;
const MESSAGE_HEADER = HEADER + 16;

export type WakeUp =
  | {
      readonly type: 'message';
      readonly node: string;
      readonly seq: number;
      readonly previous: number;
      readonly envelope: Uint8Array;
    }
  | { readonly type: 'gone'; readonly node: string; readonly queue: QueueKey };

function header(type: number, node: Uint8Array, rest: number): Uint8Array {
  if (node.length !== NODE_ID_BYTES) throw new RangeError('node id must be 8 bytes');
  const out = new Uint8Array(HEADER + rest);
  out[0] = type;
  out.set(node, 1);
  return out;
}

export function encodeMessage(node: Uint8Array, seq: number, previous: number, envelope: Uint8Array): Uint8Array {
  const out = header(MESSAGE, node, 16 + envelope.length);
  const view = new DataView(out.buffer);
  view.setBigUint64(HEADER, BigInt(seq));
  view.setBigUint64(HEADER + 8, BigInt(previous));
  out.set(envelope, MESSAGE_HEADER);
  return out;
}

export function encodeGone(node: Uint8Array, queue: QueueKey): Uint8Array {
  const key = new TextEncoder().encode(checkedQueue(queue));
  const out = header(GONE, node, key.length);
  out.set(key, HEADER);
  return out;
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

function cursor(view: DataView, at: number): number | undefined {
  const value = view.getBigUint64(at);
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : undefined;
}

/** The payload, or undefined when it is not one this relay writes. */
export function decodeWakeUp(payload: Uint8Array): WakeUp | undefined {
  if (payload.length < HEADER) return undefined;
  const node = hex(payload.subarray(1, HEADER));
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  if (payload[0] === MESSAGE) {
    if (payload.length < MESSAGE_HEADER) return undefined;
    const seq = cursor(view, HEADER);
    const previous = cursor(view, HEADER + 8);
    if (seq === undefined || previous === undefined || previous >= seq || seq === 0) return undefined;
    return { type: 'message', node, seq, previous, envelope: payload.subarray(MESSAGE_HEADER) };
  }
  if (payload[0] === GONE) {
    const queue = new TextDecoder().decode(payload.subarray(HEADER));
    try {
      return { type: 'gone', node, queue: checkedQueue(queue) };
    } catch {
      return undefined;
    }
  }
  return undefined;
}
