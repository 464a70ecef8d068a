/**
 * Loads a pinned file of the widget through Subresource Integrity (issue #12 item 1, F12): a
 * `<script>` with the SHA-384 compiled into the code that asks for it, and `crossorigin`, so the
 * browser refuses to run a file whose bytes differ (the script's `error` event), whoever served it.
 * The file hands over what it carries with an event on its own script element (CHUNK_EVENT), so
 * nothing is put on `window`. The loader loads the chat this way, the chat its language packs.
 */
import { SealdeskError } from '../../shared/errors/index.js';
import type { PinnedFile } from '../snippet/widget-manifest.js';
import { CHUNK_EVENT } from './chat-contract.js';

/** A pinned file did not load: a network failure, or bytes that do not match the pinned hash. */
export class PinnedLoadError extends SealdeskError {
  readonly code = 'pinned-load';
}

/** Where pinned files are loaded from (the loader's own address) and the host page's CSP nonce, if any. */
export interface Assets {
  readonly base: string;
  readonly nonce: string;
}

export function loadPinned(pinned: PinnedFile, assets: Assets): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    let found: { readonly detail: unknown } | undefined;
    script.addEventListener(
      CHUNK_EVENT,
      (event) => {
        found = { detail: (event as CustomEvent<unknown>).detail };
      },
      { once: true },
    );
    script.addEventListener('load', () => {
      script.remove();
      if (found === undefined) reject(new PinnedLoadError(`${pinned.file} ran but handed nothing over`));
      else resolve(found.detail);
    });
    script.addEventListener('error', () => {
      script.remove();
      reject(new PinnedLoadError(`${pinned.file} did not load or failed its integrity check`));
    });
    script.crossOrigin = 'anonymous';
    script.integrity = pinned.integrity;
    if (assets.nonce !== '') script.nonce = assets.nonce;
    script.src = new URL(pinned.file, assets.base).href;
    document.head.append(script);
  });
}

/** Run by a pinned file: hands `detail` to whoever loaded it. */
export function handOver(detail: unknown): void {
  document.currentScript?.dispatchEvent(new CustomEvent(CHUNK_EVENT, { detail }));
}
