/**
 * The isolated mode's messages (THREAT-MODEL §8). The loader posts one `connect` to the frame's window,
 * with `targetOrigin` set to the frame's exact origin and one MessagePort; everything after that goes
 * over the port, which only the two ends hold. No message carries plaintext, keys or settings the
 * frame would trust: only showing, hiding, the unread count and the launcher's look.
 */
import { POSITIONS, type Position } from '../snippet/snippet-options.js';

export const BRIDGE_VERSION = 1;

export interface ConnectMessage {
  readonly sealdesk: 'connect';
  readonly version: typeof BRIDGE_VERSION;
}

export type LoaderToFrame = { readonly t: 'show' } | { readonly t: 'hide' };
export type FrameToLoader =
  | { readonly t: 'ready' }
  | { readonly t: 'hide' }
  | { readonly t: 'unread'; readonly n: number }
  | { readonly t: 'look'; readonly colour: string; readonly position: Position };

const COLOUR = /^#[0-9a-f]{6}$/;

function field(data: unknown, key: string): unknown {
  return typeof data === 'object' && data !== null ? Reflect.get(data, key) : undefined;
}

export function isConnect(data: unknown): data is ConnectMessage {
  return field(data, 'sealdesk') === 'connect' && field(data, 'version') === BRIDGE_VERSION;
}

/** Whether a window message looks like one of ours (to count the ones from the wrong sender). */
export function looksLikeBridge(data: unknown): boolean {
  return field(data, 'sealdesk') !== undefined || field(data, 't') !== undefined;
}

export function parseLoaderMessage(data: unknown): LoaderToFrame | undefined {
  const t = field(data, 't');
  return t === 'show' || t === 'hide' ? { t } : undefined;
}

export function parseFrameMessage(data: unknown): FrameToLoader | undefined {
  const t = field(data, 't');
  if (t === 'ready' || t === 'hide') return { t };
  if (t === 'unread') {
    const n = field(data, 'n');
    return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n < 10_000 ? { t, n } : undefined;
  }
  if (t === 'look') {
    const colour = field(data, 'colour');
    const position = field(data, 'position');
    if (typeof colour !== 'string' || !COLOUR.test(colour)) return undefined;
    if (position !== POSITIONS.right && position !== POSITIONS.left) return undefined;
    return { t, colour, position };
  }
  return undefined;
}
