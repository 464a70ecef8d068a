/**
 * Payloads on the bus, between relay nodes of one cluster (never seen by clients). Version byte
 * first, then the publishing node's id (so a node drops its own: Redis echoes them):
 *
 *   message  0x01 | node id (8) | seq (u64) | previous (u64) | envelope      on the queue's channel
 *   gone     0x02 | node id (8) | queue key (ASCII)                          on the control channel
 *   nudge    0x03 | node id (8) | writing device id (16)                     on the account's channel
 *   signal   0x04 | node id (8) | author device id (16) | blob (0..256)      on the account's channel
 *   grant    0x05 | node id (8) | receiving device id (16)                   on the account's channel
 *
 * The account is the channel's (bus.ts); a nudge (PROTOCOL §16.11) and a team signal (§16.12)
 * skip the device they name, on every node; a grant nudge (§16.11, a grant written with notify=1)
 * goes to the device it names only.
 * A message carries its envelope so that the receiving node can deliver without reading the
 * store; it is still only a wake-up: a node that has not delivered up to `previous` fetches from
 * the store instead (ws/connection.ts). Decoding is strict; anything else is dropped and counted.
 */
import type { QueueKey } from '../store/store.js';
import { TEAM_SIGNAL_MAX_BYTES } from '../../shared/wire/index.js';
import { checkedQueue } from './bus.js';

const MESSAGE = 0x01;
const GONE = 0x02;
const NUDGE = 0x03;
const SIGNAL = 0x04;
const DEVICE_NUDGE = 0x05;
export const NODE_ID_BYTES = 8;
const DEVICE_ID_BYTES = 16;
const HEADER = 1 + NODE_ID_BYTES;
const MESSAGE_HEADER = HEADER + 16;
const DEVICE_HEADER = HEADER + DEVICE_ID_BYTES;
const DEVICE_ID = /^[0-9a-f]{32}$/;

export type WakeUp =
  | {
      readonly type: 'message';
      readonly node: string;
      readonly seq: number;
      readonly previous: number;
      readonly envelope: Uint8Array;
    }
  | { readonly type: 'gone'; readonly node: string; readonly queue: QueueKey }
  | { readonly type: 'nudge'; readonly node: string; readonly exceptDevice: string }
  | { readonly type: 'device-nudge'; readonly node: string; readonly device: string }
  | { readonly type: 'team-signal'; readonly node: string; readonly author: string; readonly blob: Uint8Array };

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

/** §16.11: the account's devices other than `exceptDevice` are to be nudged. */
export function encodeNudge(node: Uint8Array, exceptDevice: string): Uint8Array {
  return withDevice(NUDGE, node, exceptDevice, new Uint8Array(0));
}

/** §16.11: a grant awaits `device`, which alone is to be nudged. */
export function encodeDeviceNudge(node: Uint8Array, device: string): Uint8Array {
  return withDevice(DEVICE_NUDGE, node, device, new Uint8Array(0));
}

/** §16.12: a team signal of device `author`, for the account's other devices. */
export function encodeTeamSignal(node: Uint8Array, author: string, blob: Uint8Array): Uint8Array {
  if (blob.length > TEAM_SIGNAL_MAX_BYTES) throw new RangeError('team signal too long');
  return withDevice(SIGNAL, node, author, blob);
}

function withDevice(type: number, node: Uint8Array, device: string, rest: Uint8Array): Uint8Array {
  if (!DEVICE_ID.test(device)) throw new TypeError('not a relay device id');
  const out = header(type, node, DEVICE_ID_BYTES + rest.length);
  out.set(Buffer.from(device, 'hex'), HEADER);
  out.set(rest, DEVICE_HEADER);
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
  if (payload[0] === NUDGE || payload[0] === DEVICE_NUDGE) {
    if (payload.length !== DEVICE_HEADER) return undefined;
    const device = hex(payload.subarray(HEADER, DEVICE_HEADER));
    return payload[0] === NUDGE
      ? { type: 'nudge', node, exceptDevice: device }
      : { type: 'device-nudge', node, device };
  }
  if (payload[0] === SIGNAL) {
    if (payload.length < DEVICE_HEADER || payload.length > DEVICE_HEADER + TEAM_SIGNAL_MAX_BYTES) return undefined;
    const author = hex(payload.subarray(HEADER, DEVICE_HEADER));
    return { type: 'team-signal', node, author, blob: payload.subarray(DEVICE_HEADER) };
  }
  return undefined;
}
