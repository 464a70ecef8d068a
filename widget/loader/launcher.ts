/**
 * The launcher bubble: a real button with an accessible name, the unread count (its badge, and the
 * host page's title while the panel is closed: title-cue.ts), and the chat's state.
 */
import { CHAT_ICON, CLOSE_ICON, icon } from '../look/icons.js';
import type { LoaderTexts } from './loader-texts.js';
import { TitleCue } from './title-cue.js';

export class Launcher {
  readonly button: HTMLButtonElement;
  readonly #badge: HTMLSpanElement;
  readonly #title = new TitleCue();
  #unread = 0;
  #open = false;

  constructor(
    private readonly texts: LoaderTexts,
    onClick: () => void,
  ) {
    this.button = document.createElement('button');
    this.button.type = 'button';
    this.button.className = 'launcher';
    this.button.setAttribute('aria-expanded', 'false');
    this.button.addEventListener('click', onClick);
    this.#badge = document.createElement('span');
    this.#badge.className = 'badge';
    this.#badge.setAttribute('aria-hidden', 'true');
    this.render();
  }

  set open(open: boolean) {
    this.#open = open;
    this.render();
  }

  set unread(count: number) {
    this.#unread = count;
    this.render();
  }

  set busy(busy: boolean) {
    this.button.setAttribute('aria-busy', String(busy));
  }

  private render(): void {
    const { open, close, unread } = this.texts;
    this.button.setAttribute('aria-expanded', String(this.#open));
    this.button.setAttribute(
      'aria-label',
      this.#open ? close : this.#unread > 0 ? `${open}, ${this.#unread} ${unread}` : open,
    );
    this.#badge.textContent = this.#unread > 99 ? '99+' : String(this.#unread);
    this.#badge.hidden = this.#open || this.#unread === 0;
    this.#title.unread = this.#open ? 0 : this.#unread;
    this.button.replaceChildren(this.#open ? icon(CLOSE_ICON, 24) : icon(CHAT_ICON, 28, true), this.#badge);
  }
}
