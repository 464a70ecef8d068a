/**
 * The chat app's entry for a UI: takes a way to make the VisitorRuntime and renders (issue #12 item 3).
 * Nothing happens before the visitor opens the chat: the runtime is made, and `start()` verifies the
 * business, on the first `show()`. A verification failure shows the refusal screen, never the chat;
 * stored records this build cannot read show a plain screen that offers a fresh start.
 */
import type { VisitorRuntime } from '../../shared/runtime/index.js';
import type { ChatHost, ChatInstance, ChatMountContext } from '../bridge/chat-contract.js';
import { adoptStyles } from '../look/adopt-styles.js';
import { CHAT_CSS } from './chat-styles.js';
import { ConversationPane } from './conversation-pane.js';
import { h } from './dom.js';
import { loadTexts } from './language.js';
import {
  connectingScreen,
  isRefusal,
  isStaleStorage,
  refusalScreen,
  staleStorageScreen,
  unavailableScreen,
} from './screens.js';
import { ENGLISH, fill, type Texts } from './texts.js';

const COLOUR = /^#[0-9a-f]{6}$/i;

/** How the chat gets its runtime, and erases what this browser stored for it (a fresh start). */
export interface RuntimeSource {
  create(): VisitorRuntime;
  eraseStored(): Promise<void>;
}

export function renderChat(context: ChatMountContext, source: RuntimeSource): ChatInstance {
  const { slot, root, options, site, assets } = context;
  // When the chat minimises itself it is hidden from that moment (the loader's answer comes later).
  const host: ChatHost = {
    ...context.host,
    hide() {
      visible = false;
      context.host.hide();
    },
  };
  adoptStyles(root, CHAT_CSS);
  const chat = h('section', { class: 'chat', role: 'dialog', 'aria-label': fill(ENGLISH.title, { business: site }) });
  chat.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && pane === undefined) host.hide();
  });
  slot.append(chat);
  let runtime: VisitorRuntime | undefined;
  let pane: ConversationPane | undefined;
  let pageTexts: Promise<Texts> | undefined;
  let starting = false;
  let visible = false;

  const fail = (error: unknown, texts: Texts): void => {
    starting = false;
    console.error('Sealdesk: the chat did not start:', error instanceof Error ? error.message : error);
    if (isRefusal(error)) chat.replaceChildren(refusalScreen(error, options.pin, site, texts));
    else if (isStaleStorage(error))
      chat.replaceChildren(
        staleStorageScreen(site, texts, () => {
          void startAfresh(texts);
        }),
      );
    else
      chat.replaceChildren(
        unavailableScreen(texts, () => {
          void begin();
        }),
      );
    if (visible) chat.querySelector<HTMLElement>('button, h3')?.focus();
  };

  /** Erases this browser's records for the business (after the visitor chose to) and starts again. */
  async function startAfresh(texts: Texts): Promise<void> {
    runtime?.dispose();
    runtime = undefined;
    chat.replaceChildren(connectingScreen(texts));
    try {
      await source.eraseStored();
    } catch (error) {
      fail(error, texts);
      return;
    }
    await begin();
  }

  async function begin(): Promise<void> {
    if (starting || pane !== undefined) return;
    starting = true;
    const texts = await (pageTexts ??= loadTexts(document.documentElement.lang || navigator.language, assets));
    chat.replaceChildren(connectingScreen(texts));
    try {
      runtime ??= source.create();
      const started = runtime;
      const ready = await started.start();
      const config = ready.config;
      if (COLOUR.test(config.colour)) host.look({ colour: config.colour.toLowerCase(), position: config.position });
      const chatTexts = await loadTexts(config.language, assets);
      starting = false;
      pane = new ConversationPane(chat, started, ready, host, () => visible, chatTexts);
      if (visible) {
        pane.seen();
        pane.focus();
      }
    } catch (error) {
      fail(error, texts);
    }
  }

  addEventListener('pagehide', (event) => {
    if (event.persisted) return;
    pane?.dispose();
    runtime?.dispose();
  });

  return {
    show() {
      visible = true;
      if (pane === undefined) {
        void begin();
        return;
      }
      pane.seen();
      pane.focus();
    },
    hide() {
      visible = false;
    },
  };
}
