/**
 * The loader: the one script the host page loads (the snippet's `src`, pinned by its SRI hash). It
 * reads the snippet's settings, draws the launcher in a closed shadow root, and loads the chat on the
 * first open or when the page is idle — the chat chunk through the hash compiled into this file
 * (default mode), or the business's frame page (isolated mode). It stores nothing and sets no cookie.
 * Budget: 6 KB gzipped (`npm run size`).
 */
import type { ChatHost, ChatInstance, Look, MountChat } from '../bridge/chat-contract.js';
import type { FrameToLoader } from '../bridge/frame-messages.js';
import { type Assets, loadPinned, PinnedLoadError } from '../bridge/load-pinned.js';
import { adoptStyles } from '../look/adopt-styles.js';
import { applyColour, DEFAULT_COLOUR } from '../look/colour.js';
import { InvalidSnippetError } from '../snippet/snippet-errors.js';
import { parseSnippet, POSITIONS, type SnippetOptions } from '../snippet/snippet-options.js';
import { FrameLink } from './frame-link.js';
import { Launcher } from './launcher.js';
import { LOADER_CSS } from './loader-styles.js';
import { loaderTexts } from './loader-texts.js';
import { PINNED_CHAT } from './pinned-chat.js';

type State = 'idle' | 'loading' | 'ready' | 'failed';

function whenIdle(work: () => void): void {
  const later = (): void => {
    if ('requestIdleCallback' in window) requestIdleCallback(work, { timeout: 8000 });
    else setTimeout(work, 3000);
  };
  if (document.readyState === 'complete') later();
  else addEventListener('load', later, { once: true });
}

function start(script: HTMLScriptElement, options: SnippetOptions): void {
  const texts = loaderTexts(document.documentElement.lang || navigator.language);
  const element = document.createElement('sealdesk-chat');
  const root = element.attachShadow({ mode: 'closed' });
  adoptStyles(root, LOADER_CSS);
  const setLook = (look: Partial<Look>): void => {
    applyColour(element, look.colour ?? DEFAULT_COLOUR);
    element.classList.toggle('sd-left', look.position === POSITIONS.left);
  };
  setLook(options);
  const setState = (state: State): void => {
    element.dataset['state'] = state;
    launcher.busy = state === 'loading';
  };
  const panel = document.createElement('div');
  panel.className = 'panel';
  panel.hidden = true;
  let open = false;

  const note = (title: string, text?: string, retry?: () => void): void => {
    const box = document.createElement('div');
    box.className = 'note';
    box.setAttribute('role', retry === undefined ? 'status' : 'alert');
    const strong = document.createElement('strong');
    strong.textContent = title;
    box.append(strong, text ?? '');
    if (retry !== undefined) {
      const button = document.createElement('button');
      button.className = 'retry';
      button.textContent = texts.retry;
      button.addEventListener('click', retry);
      box.append(button);
    }
    panel.replaceChildren(box);
  };

  const hide = (focusLauncher: boolean): void => {
    open = false;
    panel.hidden = true;
    launcher.open = false;
    element.classList.remove('sd-open');
    if (focusLauncher) launcher.button.focus();
  };
  const host: ChatHost = {
    // The chat asked to be minimised (its button, Escape): hide it and tell it so.
    hide: () => {
      hide(true);
      hideChat();
    },
    unread: (count) => {
      launcher.unread = count;
    },
    look: setLook,
  };

  let showChat: () => void;
  let hideChat: () => void;
  let preload: () => void;

  if (options.frame === undefined) {
    // Default mode: the chat chunk, pinned by the SHA-384 compiled into this file.
    let chat: ChatInstance | undefined;
    let loading: Promise<MountChat> | undefined;
    const assets: Assets = { base: script.src, nonce: script.nonce };
    const load = (): Promise<MountChat> =>
      (loading ??= loadPinned(PINNED_CHAT, assets).then(
        (mount) => {
          if (typeof mount !== 'function') throw new PinnedLoadError('the chat chunk handed over no mount function');
          return mount as MountChat;
        },
        (error: unknown) => {
          loading = undefined;
          throw error;
        },
      ));
    preload = () => {
      load().catch(() => undefined);
    };
    showChat = () => {
      if (chat !== undefined) {
        chat.show();
        return;
      }
      setState('loading');
      note(texts.loading);
      load().then(
        (mount) => {
          panel.replaceChildren();
          chat = mount({ slot: panel, root, options, site: location.hostname, host, assets });
          setState('ready');
          if (open) chat.show();
        },
        (error: unknown) => {
          console.error('Sealdesk:', error instanceof Error ? error.message : error);
          setState('failed');
          note(texts.failed, texts.failedText, showChat);
        },
      );
    };
    hideChat = () => chat?.hide();
  } else {
    // Isolated mode: the business's frame page, over a MessageChannel (THREAT-MODEL §8).
    const receive = (message: FrameToLoader): void => {
      if (message.t === 'ready') setState('ready');
      else if (message.t === 'hide') host.hide();
      else if (message.t === 'unread') launcher.unread = message.n;
      else setLook(message);
    };
    const link = new FrameLink(panel, { ...options, frame: options.frame }, texts.open, receive, (ignored) => {
      element.dataset['ignoredMessages'] = String(ignored);
    });
    preload = () => {
      link.ensure();
    };
    showChat = () => {
      if (element.dataset['state'] !== 'ready') setState('loading');
      link.ensure();
      link.send({ t: 'show' });
      panel.querySelector('iframe')?.focus();
    };
    hideChat = () => {
      link.send({ t: 'hide' });
    };
  }

  const launcher = new Launcher(texts, () => {
    if (open) {
      hide(false);
      hideChat();
      return;
    }
    open = true;
    panel.hidden = false;
    launcher.open = true;
    element.classList.add('sd-open');
    showChat();
  });
  panel.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && element.dataset['state'] !== 'ready') hide(true);
  });
  setState('idle');
  root.append(panel, launcher.button);
  document.body.append(element);
  whenIdle(preload);
}

function boot(): void {
  const script = document.currentScript;
  if (!(script instanceof HTMLScriptElement)) {
    console.error('Sealdesk: load the widget with the snippet’s <script> tag (it reads its data-* attributes)');
    return;
  }
  let options: SnippetOptions;
  try {
    options = parseSnippet(script.dataset);
    if (options.frame !== undefined && new URL(options.frame).origin === location.origin)
      throw new InvalidSnippetError(
        'isolated mode needs the frame page on another origin than this page (THREAT-MODEL §8)',
      );
  } catch (error) {
    console.error('Sealdesk: the widget did not start:', error instanceof Error ? error.message : error);
    return;
  }
  if (document.readyState === 'loading')
    addEventListener('DOMContentLoaded', () => {
      start(script, options);
    });
  else start(script, options);
}

boot();
