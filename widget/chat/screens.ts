/**
 * The screens shown instead of the conversation: connecting, the refusal when verification fails
 * (issue #12 item 2: say so plainly, show the pinned and the served fingerprint so the visitor can
 * tell the business by other means), stored records this build cannot read (a fresh start offered),
 * and "unavailable" for every other failure to start.
 */
import { WARNING_ICON, icon } from '../look/icons.js';
import { formatPin } from '../snippet/snippet-options.js';
import { h } from './dom.js';
import { fill, type Texts } from './texts.js';

/** Error codes of the runtime's `start()` that mean "the business could not be verified" (api-visitor.ts). */
const REFUSALS: ReadonlySet<string> = new Set([
  'pin-mismatch',
  'rollback',
  'equivocation',
  'signature',
  'list-expired',
]);

/**
 * Error codes of `start()` for stored records this build cannot read (shared/storage): written by
 * another build (a newer one, or one the site rolled back to) or damaged. Offered: a fresh start.
 */
const STALE_STORAGE: ReadonlySet<string> = new Set(['storage-schema', 'storage-corrupt']);

function codeOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? Reflect.get(error, 'code') : undefined;
}

export function isRefusal(error: unknown): boolean {
  const code = codeOf(error);
  return typeof code === 'string' && REFUSALS.has(code);
}

export function isStaleStorage(error: unknown): boolean {
  const code = codeOf(error);
  return typeof code === 'string' && STALE_STORAGE.has(code);
}

/** The fingerprint the relay served, when the runtime's error carries it (`servedFingerprint`). */
function servedFingerprint(error: unknown): string | undefined {
  const served: unknown =
    typeof error === 'object' && error !== null ? Reflect.get(error, 'servedFingerprint') : undefined;
  return typeof served === 'string' && /^[a-z2-7 ]{52,70}$/i.test(served)
    ? formatPin(served.replace(/ /g, '').toLowerCase())
    : undefined;
}

export function connectingScreen(texts: Texts): HTMLElement {
  return h('div', { class: 'screen', role: 'status' }, h('div', { class: 'spinner' }), h('p', null, texts.connecting));
}

export function refusalScreen(error: unknown, pin: string, site: string, texts: Texts): HTMLElement {
  const code = codeOf(error);
  const served = servedFingerprint(error);
  return h(
    'div',
    { class: 'screen', role: 'alert' },
    h('span', { class: 'warn' }, icon(WARNING_ICON, 36)),
    h('h3', null, texts.refusalTitle),
    h(
      'p',
      null,
      fill(code === 'pin-mismatch' || code === 'signature' ? texts.refusalPin : texts.refusalList, { site }),
    ),
    h('p', null, fill(texts.refusalAdvice, { site })),
    // The served key where the runtime knows it (a pin mismatch): side by side with the pin.
    h(
      'dl',
      { class: 'keys' },
      h('dt', null, texts.pinned),
      h('dd', null, pin),
      served !== undefined && h('dt', null, texts.served),
      served !== undefined && h('dd', { class: 'bad' }, served),
    ),
  );
}

/** Stored records this build cannot read: said plainly, and a new chat offered (it erases them). */
export function staleStorageScreen(site: string, texts: Texts, startAfresh: () => void): HTMLElement {
  return h(
    'div',
    { class: 'screen', role: 'alert' },
    h('h3', null, texts.staleTitle),
    h('p', null, fill(texts.staleText, { site })),
    h('button', { type: 'button', class: 'primary', onclick: startAfresh }, texts.startAfresh),
  );
}

export function unavailableScreen(texts: Texts, retry: () => void): HTMLElement {
  return h(
    'div',
    { class: 'screen', role: 'alert' },
    h('h3', null, texts.unavailable),
    h('p', null, texts.unavailableText),
    h('button', { type: 'button', class: 'primary', onclick: retry }, texts.retry),
  );
}
