/**
 * The embed snippet's settings (issue #12 item 1): the relay, the account, the business fingerprint pin
 * and the mode, read from the `data-*` attributes of the `<script>` tag (loader), from the frame
 * page's address (isolated mode) or from the command line (snippet generator). One parser for all.
 */
import { InvalidSnippetError } from './snippet-errors.js';

export const WIDGET_MODES = { default: 'default', isolated: 'isolated' } as const;
export type WidgetMode = (typeof WIDGET_MODES)[keyof typeof WIDGET_MODES];

export const POSITIONS = { right: 'bottom-right', left: 'bottom-left' } as const;
export type Position = (typeof POSITIONS)[keyof typeof POSITIONS];

export interface SnippetOptions {
  /** The relay's base address, `https:` (or `http:` on a loopback host), no credentials, query or fragment. */
  readonly relay: string;
  /** The business's account id: 32 lower-case hex digits (PROTOCOL §2.4). */
  readonly account: string;
  /** The business fingerprint the visitor's browser requires (PROTOCOL §12): 52 base32 letters, grouped by 4. */
  readonly pin: string;
  readonly mode: WidgetMode;
  /** Isolated mode: the frame page, on an origin the business controls (THREAT-MODEL §8). */
  readonly frame?: string;
  /** Launcher colour and side before the signed configuration has loaded (cosmetic hints). */
  readonly colour?: string;
  readonly position?: Position;
}

/** The attribute names, without `data-` (the dataset keys). */
export const SNIPPET_KEYS = ['relay', 'account', 'pin', 'mode', 'frame', 'colour', 'position'] as const;
export type SnippetRecord = Readonly<Partial<Record<(typeof SNIPPET_KEYS)[number], string | undefined>>>;

const ACCOUNT = /^[0-9a-f]{32}$/;
/** 32 bytes in unpadded RFC 4648 base32: 52 letters, the last one carrying 1 bit (a or q). */
const PIN = /^[a-z2-7]{51}[aq]$/;
const COLOUR = /^#[0-9a-f]{6}$/i;
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/;

/** The pin in its display form: lower case, groups of four letters (shared/crypto formatFingerprint). */
export function formatPin(compact: string): string {
  return compact.replace(/(.{4})(?=.)/g, '$1 ');
}

/** An absolute http(s) address without credentials, query or fragment; http only on a loopback host. */
export function checkAddress(name: string, text: string | undefined): URL {
  let url: URL;
  try {
    url = new URL(text ?? '');
  } catch (error) {
    throw new InvalidSnippetError(`data-${name} must be an absolute address, got "${text ?? ''}"`, { cause: error });
  }
  const secure = url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.test(url.hostname));
  if (!secure || url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw new InvalidSnippetError(
      `data-${name} must be an https: address (http: only on this computer) without credentials, query or fragment`,
    );
  }
  return url;
}

function required(record: SnippetRecord, key: 'relay' | 'account' | 'pin'): string {
  const value = record[key]?.trim() ?? '';
  if (value === '') throw new InvalidSnippetError(`the snippet has no data-${key}: copy it again from the agent app`);
  return value;
}

/** Validates every setting; InvalidSnippetError names the first wrong one and what it should be. */
export function parseSnippet(record: SnippetRecord): SnippetOptions {
  const relay = checkAddress('relay', required(record, 'relay')).href.replace(/\/$/, '');
  const account = required(record, 'account').toLowerCase();
  if (!ACCOUNT.test(account)) throw new InvalidSnippetError('data-account must be 32 hexadecimal digits');
  const compactPin = required(record, 'pin').toLowerCase().replace(/ +/g, '');
  if (!PIN.test(compactPin)) {
    throw new InvalidSnippetError('data-pin must be the 52-letter business fingerprint shown in the agent app');
  }
  const mode = record.mode ?? WIDGET_MODES.default;
  if (mode !== WIDGET_MODES.default && mode !== WIDGET_MODES.isolated) {
    throw new InvalidSnippetError(`data-mode must be "default" or "isolated", got "${mode}"`);
  }
  const options: { -readonly [K in keyof SnippetOptions]: SnippetOptions[K] } = {
    relay,
    account,
    pin: formatPin(compactPin),
    mode,
  };
  if (mode === WIDGET_MODES.isolated) options.frame = checkAddress('frame', record.frame).href;
  else if (record.frame !== undefined)
    throw new InvalidSnippetError('data-frame is used only with data-mode="isolated"');
  if (record.colour !== undefined) {
    if (!COLOUR.test(record.colour)) throw new InvalidSnippetError('data-colour must be a colour like #4f46e5');
    options.colour = record.colour.toLowerCase();
  }
  if (record.position !== undefined) {
    if (record.position !== POSITIONS.right && record.position !== POSITIONS.left) {
      throw new InvalidSnippetError('data-position must be "bottom-right" or "bottom-left"');
    }
    options.position = record.position;
  }
  return options;
}

/** The settings as a record again (the frame address carries them; the generator writes them). */
export function snippetRecord(options: SnippetOptions): SnippetRecord {
  const { frame, colour, position, ...rest } = options;
  return {
    ...rest,
    ...(frame === undefined ? {} : { frame }),
    ...(colour === undefined ? {} : { colour }),
    ...(position === undefined ? {} : { position }),
  };
}
