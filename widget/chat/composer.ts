/**
 * The composer: a labelled text area (Enter sends, Shift+Enter starts a new line), an attach button
 * and a send button. It tells the runtime when the visitor is typing, at most every 3 s, and that the
 * visitor stopped after 4 s without a key.
 */
import { ATTACH_ICON, SEND_ICON, icon } from '../look/icons.js';
import { h } from './dom.js';
import type { Texts } from './texts.js';

const TYPING_REPEAT_MS = 3000;
const TYPING_IDLE_MS = 4000;

export interface ComposerActions {
  submit(text: string): void;
  attach(file: File): void;
  typing(active: boolean): void;
}

export class Composer {
  readonly element: HTMLFormElement;
  readonly #text: HTMLTextAreaElement;
  readonly #label: HTMLLabelElement;
  readonly #attach: HTMLButtonElement;
  #typingSince = 0;
  #idle: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly texts: Texts,
    private readonly actions: ComposerActions,
  ) {
    this.#text = h('textarea', { id: 'sd-text', rows: 1, placeholder: texts.placeholder, maxlength: 4000 });
    this.#label = h('label', { class: 'sr', for: 'sd-text' }, texts.message);
    const file = h('input', { type: 'file', class: 'sr', tabindex: -1, 'aria-hidden': 'true' });
    this.#attach = h(
      'button',
      { type: 'button', class: 'icon', 'aria-label': texts.attach, title: texts.attach },
      icon(ATTACH_ICON),
    );
    const send = h(
      'button',
      { type: 'submit', class: 'icon send', 'aria-label': texts.send, title: texts.send },
      icon(SEND_ICON, 18, true),
    );
    this.element = h('form', { class: 'composer' }, this.#label, this.#text, file, this.#attach, send);
    this.#attach.addEventListener('click', () => {
      file.click();
    });
    file.addEventListener('change', () => {
      for (const f of file.files ?? []) this.actions.attach(f);
      file.value = '';
    });
    this.element.addEventListener('submit', (event) => {
      event.preventDefault();
      this.send();
    });
    this.#text.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.send();
      }
    });
    this.#text.addEventListener('input', () => {
      this.grow();
      this.typed();
    });
  }

  /** The prompt above the text area: "Message", or "Your answer" for the pre-chat question. */
  set label(text: string) {
    this.#label.textContent = text;
    this.#text.placeholder = text === this.texts.message ? this.texts.placeholder : `${text}…`;
  }

  set canAttach(allowed: boolean) {
    this.#attach.disabled = !allowed;
  }

  focus(): void {
    this.#text.focus();
  }

  private send(): void {
    const text = this.#text.value.trim();
    if (text === '') return;
    this.#text.value = '';
    this.grow();
    this.stopTyping();
    this.actions.submit(text);
  }

  private grow(): void {
    this.#text.style.height = 'auto';
    this.#text.style.height = `${Math.min(this.#text.scrollHeight, 120)}px`;
  }

  private typed(): void {
    const now = Date.now();
    if (now - this.#typingSince > TYPING_REPEAT_MS) {
      this.#typingSince = now;
      this.actions.typing(true);
    }
    clearTimeout(this.#idle);
    this.#idle = setTimeout(() => {
      this.stopTyping();
    }, TYPING_IDLE_MS);
  }

  private stopTyping(): void {
    clearTimeout(this.#idle);
    if (this.#typingSince === 0) return;
    this.#typingSince = 0;
    this.actions.typing(false);
  }
}
