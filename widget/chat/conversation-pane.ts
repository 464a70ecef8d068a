/**
 * The conversation once the runtime has verified the business (issue #12 item 3): header with the
 * business hours and reply time, "End-to-end encrypted with <business> — verified" (fingerprint and
 * safety code on demand), the greeting, the pre-chat question, the message log with delivery marks,
 * the typing indicator, uploads with progress, protocol alerts in plain words, the connection state,
 * and ending the conversation with the offer to erase it from this browser. New business messages are
 * announced through a live region. The pane sees only what the runtime hands a UI: no keys, no ciphertext.
 */
import type {
  AttachmentHandle,
  ChatMessage,
  ConnectionState,
  MessageId,
  PlainAlert,
} from '../../shared/runtime/index.js';
import type { VisitorConversationView, VisitorReady, VisitorRuntime } from '../../shared/runtime/index.js';
import type { ChatHost } from '../bridge/chat-contract.js';
import { CLOSE_ICON, EXIT_ICON, LOCK_ICON, MINIMISE_ICON, SHIELD_ICON, icon } from '../look/icons.js';
import { isOpen, replyTime } from './business-hours.js';
import { Composer } from './composer.js';
import { h } from './dom.js';
import { advances, type Mark, markView, type MessageDeps, messageView, systemView } from './message-view.js';
import { openSheet, type Sheet } from './sheet.js';
import { StickToBottom } from './stick-to-bottom.js';
import { fill, type Texts } from './texts.js';

interface Entry {
  readonly li: HTMLLIElement;
  mark?: Mark;
}

const TYPING_TIMEOUT_MS = 10_000;

function warn(error: unknown): void {
  console.warn('Sealdesk:', error instanceof Error ? error.message : error);
}

export class ConversationPane {
  readonly #texts: Texts;
  readonly #business: string;
  readonly #log = h('ol', { class: 'log', 'aria-label': '' });
  readonly #scroll = h('div', { class: 'scroll', tabindex: 0 }, this.#log);
  readonly #stick = new StickToBottom(this.#scroll);
  readonly #status = h('p', { class: 'status' });
  readonly #bar = h('div', { class: 'bar', role: 'status', hidden: true });
  readonly #typing = h('p', { class: 'typing', 'aria-hidden': 'true' });
  readonly #uploads = h('div');
  readonly #live = h('div', { class: 'sr', 'aria-live': 'polite' });
  /** Danger alerts interrupt (the alert role is not allowed on the log's list items). */
  readonly #urgent = h('div', { class: 'sr', 'aria-live': 'assertive' });
  readonly #composer: Composer;
  readonly #end: HTMLButtonElement;
  readonly #endArea = h('div', { class: 'screen', hidden: true });
  readonly #entries = new Map<MessageId, Entry>();
  readonly #urls: string[] = [];
  readonly #deps: MessageDeps;
  readonly #unsubscribe: (() => void)[] = [];
  #conversation: Promise<VisitorConversationView> | undefined;
  #closed = false;
  #prechat: string | undefined;
  #lastSender: string | undefined;
  #latestBusiness: MessageId | undefined;
  #unread = 0;
  #typingTimer: ReturnType<typeof setTimeout> | undefined;
  #clock: ReturnType<typeof setInterval>;
  #local = 0;

  constructor(
    private readonly chat: HTMLElement,
    private readonly runtime: VisitorRuntime,
    private readonly ready: VisitorReady,
    private readonly host: ChatHost,
    private readonly visible: () => boolean,
    texts: Texts,
  ) {
    this.#texts = texts;
    this.#business = ready.business.name;
    const { config } = ready;
    this.#deps = {
      texts,
      time: new Intl.DateTimeFormat(config.language, { hour: '2-digit', minute: '2-digit' }),
      open: (handle: AttachmentHandle) => runtime.openAttachment(handle),
      keep: (url) => {
        this.#urls.push(url);
        return url;
      },
      grew: (by) => {
        // An image that finished decrypting near the end of the log keeps the log at its end.
        if (this.#stick.nearEnd(by)) this.#stick.toEnd();
      },
    };
    this.#log.setAttribute('aria-label', fill(texts.title, { business: this.#business }));
    this.#composer = new Composer(texts, {
      submit: (text) => {
        this.submit(text);
      },
      attach: (file) => {
        this.attach(file);
      },
      typing: (active) => {
        if (this.#conversation !== undefined) runtime.setTyping(active).catch(warn);
      },
    });
    this.#end = h(
      'button',
      {
        type: 'button',
        class: 'icon',
        'aria-label': texts.end,
        title: texts.end,
        hidden: true,
        onclick: () => {
          this.endSheet();
        },
      },
      icon(EXIT_ICON),
    );
    chat.setAttribute('aria-label', fill(texts.title, { business: this.#business }));
    chat.replaceChildren(
      h(
        'header',
        { class: 'head' },
        h('div', { class: 'avatar', 'aria-hidden': 'true' }, (this.#business.trim()[0] ?? '?').toUpperCase()),
        h('div', { class: 'who' }, h('h2', null, this.#business), this.#status),
        this.#end,
        h(
          'button',
          {
            type: 'button',
            class: 'icon',
            'aria-label': texts.minimise,
            title: texts.minimise,
            onclick: () => {
              host.hide();
            },
          },
          icon(MINIMISE_ICON, 22),
        ),
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'verified',
          'aria-haspopup': 'dialog',
          onclick: () => {
            this.verifySheet();
          },
        },
        icon(SHIELD_ICON, 16),
        h('span', null, fill(texts.verified, { business: this.#business })),
      ),
      this.#bar,
      this.#scroll,
      this.#typing,
      this.#uploads,
      this.#composer.element,
      this.#endArea,
      h('p', { class: 'foot' }, icon(LOCK_ICON, 12), texts.footer),
      this.#live,
      this.#urgent,
    );
    chat.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') host.hide();
    });
    this.renderStatus();
    this.#clock = setInterval(() => {
      this.renderStatus();
    }, 60_000);
    this.subscribe();
    this.reset(ready.conversation);
  }

  focus(): void {
    if (!this.#endArea.hidden) this.#endArea.querySelector('button')?.focus();
    else this.#composer.focus();
  }

  /** The chat became visible: the business messages shown now count as read. */
  seen(): void {
    this.#unread = 0;
    this.host.unread(0);
    if (this.#latestBusiness !== undefined) this.runtime.markRead(this.#latestBusiness).catch(warn);
  }

  dispose(): void {
    clearInterval(this.#clock);
    this.#stick.dispose();
    for (const off of this.#unsubscribe) off();
    for (const url of this.#urls.splice(0)) URL.revokeObjectURL(url);
  }

  private renderStatus(): void {
    const { config } = this.ready;
    const open = isOpen(config, new Date());
    const reply = replyTime(config.expectedReplyMinutes, this.#texts);
    this.#status.replaceChildren(
      h('span', { class: open ? 'dot' : 'dot away' }),
      open ? this.#texts.online : this.#texts.awayShort,
      reply === '' ? '' : ` · ${reply}`,
    );
  }

  /** Draws the log from scratch: greeting, away note, pre-chat question, then the stored conversation. */
  private reset(conversation: VisitorConversationView | undefined): void {
    const { config } = this.ready;
    for (const url of this.#urls.splice(0)) URL.revokeObjectURL(url);
    this.#entries.clear();
    this.#lastSender = undefined;
    this.#latestBusiness = undefined;
    this.#closed = conversation?.closed ?? false;
    this.#conversation = conversation === undefined ? undefined : Promise.resolve(conversation);
    this.#log.replaceChildren();
    if (config.greeting !== '') this.append(this.bubble(config.greeting, this.#business));
    if (!isOpen(config, new Date())) this.append(systemView(this.#texts.away));
    this.#prechat = conversation === undefined ? config.prechatQuestion : undefined;
    if (this.#prechat !== undefined) this.append(this.bubble(this.#prechat, undefined));
    this.#composer.label = this.#prechat === undefined ? this.#texts.message : this.#texts.answer;
    this.#composer.canAttach = this.#prechat === undefined;
    for (const message of conversation?.messages ?? []) this.show(message, false);
    for (const alert of conversation?.alerts ?? []) this.alert(alert);
    this.renderEnd();
  }

  private bubble(text: string, sender: string | undefined): HTMLLIElement {
    this.#lastSender = 'business';
    return h(
      'li',
      { class: 'msg' },
      sender !== undefined && h('div', { class: 'sender' }, sender),
      h('div', { class: 'bubble' }, text),
    );
  }

  private append(li: HTMLLIElement, forceScroll = false): void {
    const atEnd = this.#stick.nearEnd(0);
    this.#log.append(li);
    if (atEnd || forceScroll) this.#stick.toEnd();
  }

  private announce(text: string, region = this.#live): void {
    region.textContent = '';
    setTimeout(() => {
      region.textContent = text;
    }, 50);
  }

  private subscribe(): void {
    const on = this.runtime.on;
    this.#unsubscribe.push(
      on('message', (message) => {
        this.show(message, true);
      }),
      on('status', ({ messageId, status }) => {
        this.setMark(messageId, status);
      }),
      on('typing', ({ agentName, active }) => {
        this.setTyping(active ? agentName : undefined);
      }),
      on('alert', (alert) => {
        this.alert(alert);
      }),
      on('connection', (state) => {
        this.connection(state);
      }),
      on('closed', ({ by }) => {
        this.ended(by);
      }),
    );
  }

  /** Adds a message to the log (or, for one already there, only its mark). */
  private show(message: ChatMessage, live: boolean): void {
    const body = message.body;
    if (body.kind === 'note') return; // team-internal: never for the visitor (a runtime should not pass it)
    if (body.kind === 'close') {
      this.ended(message.from === 'self' ? 'self' : 'agent');
      return;
    }
    const known = this.#entries.get(message.id);
    if (known !== undefined) {
      if (message.status !== undefined) this.setMark(message.id, message.status);
      return;
    }
    const mine = message.from === 'self';
    const senderKey = mine ? 'self' : `agent:${message.agentName ?? ''}`;
    const name = mine ? undefined : (message.agentName ?? this.#texts.team);
    const li = messageView(message, senderKey === this.#lastSender || mine ? undefined : name, this.#deps);
    this.#lastSender = senderKey;
    this.#entries.set(message.id, { li, ...(message.status === undefined ? {} : { mark: message.status }) });
    this.append(li, mine);
    if (mine || !live) return;
    this.setTyping(undefined);
    this.#latestBusiness = message.id;
    const text = body.kind === 'text' ? body.text : fill(this.#texts.file, { name: body.attachment.name });
    this.announce(fill(this.#texts.announce, { name: name ?? this.#business, text }));
    if (this.visible() && document.visibilityState === 'visible') this.runtime.markRead(message.id).catch(warn);
    else this.host.unread(++this.#unread);
  }

  private setMark(id: MessageId, mark: Mark): void {
    const entry = this.#entries.get(id);
    if (entry !== undefined) this.mark(entry, mark);
  }

  private mark(entry: Entry, mark: Mark): void {
    if (!advances(entry.mark, mark)) return;
    entry.mark = mark;
    const meta = entry.li.querySelector('.meta');
    meta?.querySelector('span')?.remove();
    meta?.append(markView(mark, this.#texts));
  }

  private setTyping(name: string | undefined): void {
    clearTimeout(this.#typingTimer);
    if (name === undefined) {
      this.#typing.replaceChildren();
      return;
    }
    this.#typing.replaceChildren(h('i'), h('i'), h('i'), fill(this.#texts.typing, { name }));
    this.#typingTimer = setTimeout(() => {
      this.setTyping(undefined);
    }, TYPING_TIMEOUT_MS);
  }

  private alert(alert: PlainAlert): void {
    const li = h(
      'li',
      { class: `alert ${alert.severity}` },
      h('div', null, h('strong', null, alert.title), h('p', null, alert.text)),
    );
    this.announce(`${alert.title}. ${alert.text}`, alert.severity === 'danger' ? this.#urgent : this.#live);
    li.append(
      h(
        'button',
        {
          type: 'button',
          class: 'icon',
          'aria-label': this.#texts.dismiss,
          onclick: () => {
            li.remove();
          },
        },
        icon(CLOSE_ICON, 16),
      ),
    );
    this.append(li, true);
  }

  private connection(state: ConnectionState): void {
    // An ended chat has no connection to wait for: "offline" would suggest it comes back.
    const text = this.#closed
      ? ''
      : state === 'offline'
        ? this.#texts.offline
        : state === 'reconnecting'
          ? this.#texts.reconnecting
          : '';
    this.#bar.textContent = text;
    this.#bar.hidden = text === '';
  }

  /** Opens the conversation on the first message (nothing is stored before: api-visitor.ts). */
  private conversation(prechat?: {
    readonly question: string;
    readonly answer: string;
  }): Promise<VisitorConversationView> {
    this.#conversation ??= this.runtime.openConversation(prechat).catch((error: unknown) => {
      this.#conversation = undefined;
      throw error;
    });
    this.renderEnd();
    return this.#conversation;
  }

  /** An own message drawn at once, then tied to its id when the runtime has saved it. */
  private pending(text: string, retry: () => void): { settle(id?: MessageId): void; fail(): void } {
    const now = Date.now();
    const message: ChatMessage = {
      id: `local:${++this.#local}`,
      conversationId: '',
      from: 'self',
      senderDeviceId: '',
      sentAt: now,
      receivedAt: now,
      body: { kind: 'text', text },
      status: 'sending',
    };
    const entry: Entry = { li: messageView(message, undefined, this.#deps), mark: 'sending' };
    this.#lastSender = 'self';
    this.append(entry.li, true);
    return {
      settle: (id) => {
        if (id === undefined) this.mark(entry, 'stored');
        else if (this.#entries.has(id)) entry.li.remove();
        else this.#entries.set(id, entry);
      },
      fail: () => {
        this.mark(entry, 'failed');
        const again = h('button', { type: 'button', class: 'link' }, this.#texts.retry);
        again.addEventListener('click', () => {
          entry.li.remove();
          retry();
        });
        entry.li.querySelector('.meta')?.append(again);
      },
    };
  }

  private submit(text: string): void {
    const question = this.#prechat;
    if (question !== undefined) {
      // The answer travels inside the first encrypted message (api-visitor.ts openConversation).
      this.#prechat = undefined;
      this.#composer.label = this.#texts.message;
      this.#composer.canAttach = true;
      const own = this.pending(text, () => {
        this.#prechat = question;
        this.submit(text);
      });
      this.conversation({ question, answer: text }).then(
        () => {
          own.settle();
        },
        (error: unknown) => {
          warn(error);
          own.fail();
        },
      );
      return;
    }
    const own = this.pending(text, () => {
      this.submit(text);
    });
    this.conversation()
      .then(() => this.runtime.sendText(text))
      .then(
        (id) => {
          own.settle(id);
        },
        (error: unknown) => {
          warn(error);
          own.fail();
        },
      );
  }

  private attach(file: File): void {
    const progress = h('progress', { max: Math.max(file.size, 1), value: 0 });
    const row = h(
      'div',
      { class: 'upload', role: 'status' },
      fill(this.#texts.uploading, { name: file.name }),
      progress,
    );
    this.#uploads.append(row);
    this.conversation()
      .then(() =>
        this.runtime.sendAttachment(file, file.name, (done, total) => {
          progress.max = Math.max(total, 1);
          progress.value = done;
        }),
      )
      .then(
        () => {
          row.remove();
        },
        (error: unknown) => {
          warn(error);
          row.replaceChildren(
            h('span', { class: 'failed' }, `${this.#texts.notSent}: ${file.name}`),
            ' ',
            h(
              'button',
              {
                type: 'button',
                class: 'link',
                onclick: () => {
                  row.remove();
                  this.attach(file);
                },
              },
              this.#texts.retry,
            ),
          );
        },
      );
  }

  private ended(by: 'agent' | 'self'): void {
    if (this.#closed) return;
    this.#closed = true;
    this.setTyping(undefined);
    const text = by === 'agent' ? fill(this.#texts.endedAgent, { business: this.#business }) : this.#texts.endedSelf;
    this.append(systemView(text), true);
    this.announce(text);
    this.renderEnd();
  }

  /** The end control, and after the end the offer to erase instead of the composer. */
  private renderEnd(): void {
    this.#end.hidden = this.#conversation === undefined || this.#closed;
    this.#composer.element.hidden = this.#closed;
    if (this.#closed) this.#bar.hidden = true;
    this.#endArea.hidden = !this.#closed;
    this.#endArea.replaceChildren(
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          onclick: () => {
            this.erase();
          },
        },
        this.#texts.erase,
      ),
    );
  }

  private erase(): void {
    this.runtime.erase().then(() => {
      this.reset(undefined);
      this.append(systemView(this.#texts.erased));
      this.announce(this.#texts.erased);
      this.focus();
    }, warn);
  }

  private endSheet(): void {
    const t = this.#texts;
    openSheet(this.chat, t.endTitle, (sheet: Sheet) => [
      h('p', null, t.endText),
      h(
        'div',
        { class: 'actions' },
        h(
          'button',
          {
            type: 'button',
            class: 'primary danger',
            onclick: () => {
              sheet.close();
              this.quickExit();
            },
          },
          t.endErase,
        ),
        h(
          'button',
          {
            type: 'button',
            class: 'secondary',
            onclick: () => {
              sheet.close();
              this.runtime.close().then(() => {
                this.ended('self');
              }, warn);
            },
          },
          t.endKeep,
        ),
        h(
          'button',
          {
            type: 'button',
            class: 'secondary',
            onclick: () => {
              sheet.close();
            },
          },
          t.cancel,
        ),
      ),
    ]);
  }

  /** Quick exit: end, erase from this browser, and hide the chat at once. */
  private quickExit(): void {
    this.host.hide();
    this.runtime
      .close()
      .catch(warn)
      .then(() => this.runtime.erase())
      .then(() => {
        this.reset(undefined);
      }, warn);
  }

  private verifySheet(): void {
    const t = this.#texts;
    const business = this.#business;
    const code = h('p', { class: 'code', 'aria-live': 'polite', tabindex: -1 });
    const show = h('button', { type: 'button', class: 'secondary' }, t.showCode);
    show.addEventListener('click', () => {
      if (this.#conversation === undefined) {
        code.textContent = t.codeLater;
        return;
      }
      this.runtime.safetyCode().then(({ code: digits }) => {
        code.textContent = digits;
        code.focus();
        show.remove();
      }, warn);
    });
    openSheet(this.chat, t.details, (sheet: Sheet) => [
      h('p', null, fill(t.detailsText, { business })),
      h('dl', { class: 'keys' }, h('dt', null, t.fingerprint), h('dd', null, this.ready.business.fingerprint)),
      h('p', null, fill(t.fingerprintText, { business })),
      h('h4', null, t.code),
      h('p', null, fill(t.codeText, { business })),
      code,
      show,
      h(
        'div',
        { class: 'actions' },
        h(
          'button',
          {
            type: 'button',
            class: 'primary',
            onclick: () => {
              sheet.close();
            },
          },
          t.back,
        ),
      ),
    ]);
  }
}
