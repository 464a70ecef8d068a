/**
 * One message of the log: text or attachment, the sender's name, the time, and for the visitor's own
 * messages the delivery mark (sending, sent, delivered, read) with words for screen readers. Images
 * are decrypted by the runtime and shown inline from a blob: address; other files download on request.
 */
import type { AttachmentHandle, ChatMessage, MessageStatus } from '../../shared/runtime/index.js';
import { CHECK_ICON, CHECKS_ICON, CLOCK_ICON, DOWNLOAD_ICON, WARNING_ICON, icon } from '../look/icons.js';
import { formatSize, h, srOnly } from './dom.js';
import { fill, type Texts } from './texts.js';

/** Images shown inline (raster only: an SVG could carry script). Larger ones download on request. */
const INLINE_IMAGES = /^image\/(png|jpeg|gif|webp|avif)$/;
const INLINE_MAX_BYTES = 10_000_000;

export type Mark = MessageStatus | 'failed';
const RANK: Readonly<Record<Mark, number>> = { failed: 0, sending: 1, stored: 2, delivered: 3, read: 4 };

export interface MessageDeps {
  readonly texts: Texts;
  readonly time: Intl.DateTimeFormat;
  open(handle: AttachmentHandle): Promise<Blob>;
  /** Keeps a blob: address to revoke when the conversation is erased or the page goes away. */
  keep(url: string): string;
  /** The entry grew by `by` pixels after it was added (an image appeared). */
  grew(by: number): void;
}

/** Whether `next` replaces `current`: marks only move forward, except to and from a failure. */
export function advances(current: Mark | undefined, next: Mark): boolean {
  return current === undefined || next === 'failed' || current === 'failed' || RANK[next] > RANK[current];
}

export function markView(status: Mark, texts: Texts): HTMLSpanElement {
  const path =
    status === 'sending'
      ? CLOCK_ICON
      : status === 'stored'
        ? CHECK_ICON
        : status === 'failed'
          ? WARNING_ICON
          : CHECKS_ICON;
  return h(
    'span',
    {
      class: status === 'read' ? 'read' : status === 'failed' ? 'failed' : undefined,
      title: texts[status === 'failed' ? 'notSent' : status],
    },
    icon(path, 15),
    srOnly(texts[status === 'failed' ? 'notSent' : status]),
  );
}

function download(blob: Blob, name: string, deps: MessageDeps): void {
  const a = h('a', { href: deps.keep(URL.createObjectURL(blob)), download: name });
  a.click();
}

function attachmentView(handle: AttachmentHandle, deps: MessageDeps): HTMLElement {
  const { texts } = deps;
  const button = h(
    'button',
    { type: 'button', class: 'file' },
    icon(DOWNLOAD_ICON, 18),
    fill(texts.download, { name: handle.name, size: formatSize(handle.size) }),
  );
  button.addEventListener('click', () => {
    deps.open(handle).then(
      (blob) => {
        download(blob, handle.name, deps);
      },
      () => {
        button.classList.add('failed');
      },
    );
  });
  if (!INLINE_IMAGES.test(handle.mime) || handle.size > INLINE_MAX_BYTES) return h('div', { class: 'bubble' }, button);
  const bubble = h('div', { class: 'bubble media' }, fill(texts.file, { name: handle.name }));
  deps.open(handle).then(
    (blob) => {
      const img = h('img', { alt: handle.name, src: deps.keep(URL.createObjectURL(blob)) });
      img.addEventListener('error', () => {
        bubble.replaceChildren(button);
      });
      img.addEventListener('load', () => {
        deps.grew(img.offsetHeight);
      });
      bubble.replaceChildren(img);
    },
    () => {
      bubble.replaceChildren(button);
    },
  );
  return bubble;
}

/** The log entry of `message`; `sender` is the name line above it, when the sender changed. */
export function messageView(message: ChatMessage, sender: string | undefined, deps: MessageDeps): HTMLLIElement {
  const mine = message.from === 'self' || message.from === 'visitor';
  const body = message.body;
  const content =
    body.kind === 'attachment'
      ? attachmentView(body.attachment, deps)
      : h('div', { class: 'bubble' }, body.kind === 'text' ? body.text : '');
  const meta = h(
    'div',
    { class: 'meta' },
    h('time', null, deps.time.format(message.sentAt)),
    message.late === true && `· ${deps.texts.late}`,
  );
  if (mine && message.status !== undefined) meta.append(markView(message.status, deps.texts));
  return h(
    'li',
    { class: mine ? 'msg me' : 'msg' },
    sender !== undefined && h('div', { class: 'sender' }, sender),
    content,
    meta,
  );
}

/** A centred line in the log: the conversation ended, was erased, the business is away. */
export function systemView(text: string): HTMLLIElement {
  return h('li', { class: 'system' }, text);
}
