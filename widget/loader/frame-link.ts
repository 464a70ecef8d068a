/**
 * The loader's side of the isolated mode (issue #12 item 5, F13, THREAT-MODEL §8). The chat runs in a
 * frame on an origin the business controls; the loader hands it one end of a MessageChannel with
 * `postMessage(…, frameOrigin, [port])`, so only a document of that exact origin can receive it, and
 * listens on its own end only. Nothing the frame sends carries plaintext. Window messages that look
 * like ours never come from the frame (it uses the port): they are ignored and counted.
 */
import {
  BRIDGE_VERSION,
  type FrameToLoader,
  type LoaderToFrame,
  looksLikeBridge,
  parseFrameMessage,
} from '../bridge/frame-messages.js';
import { OriginGuard } from '../bridge/origin-guard.js';
import type { SnippetOptions } from '../snippet/snippet-options.js';

export class FrameLink {
  #frame: HTMLIFrameElement | undefined;
  #port: MessagePort | undefined;
  #pending: LoaderToFrame[] = [];
  readonly #origin: string;
  readonly #guard: OriginGuard;

  constructor(
    private readonly slot: HTMLElement,
    private readonly options: SnippetOptions & { readonly frame: string },
    private readonly title: string,
    private readonly receive: (message: FrameToLoader) => void,
    record: (ignored: number) => void,
  ) {
    this.#origin = new URL(options.frame).origin;
    this.#guard = new OriginGuard(this.#origin, () => this.#frame?.contentWindow ?? null, record);
    window.addEventListener('message', (event) => {
      if (looksLikeBridge(event.data)) this.#guard.ignore(event.origin);
    });
  }

  /** Creates the frame once; its address carries the settings in the fragment (never sent to a server). */
  ensure(): void {
    if (this.#frame !== undefined) return;
    const { relay, account, pin } = this.options;
    const settings = new URLSearchParams({ relay, account, pin, parent: location.origin });
    const frame = document.createElement('iframe');
    frame.title = this.title;
    frame.referrerPolicy = 'no-referrer';
    frame.addEventListener('load', () => {
      this.connect(frame);
    });
    frame.src = `${this.options.frame}#${settings.toString()}`;
    this.#frame = frame;
    this.slot.append(frame);
  }

  send(message: LoaderToFrame): void {
    if (this.#port === undefined) this.#pending.push(message);
    else this.#port.postMessage(message);
  }

  private connect(frame: HTMLIFrameElement): void {
    this.#port?.close();
    this.#port = undefined;
    const channel = new MessageChannel();
    channel.port1.onmessage = (event) => {
      const message = parseFrameMessage(event.data);
      if (message === undefined) {
        this.#guard.ignore(this.#origin);
        return;
      }
      if (message.t === 'ready') {
        this.#port = channel.port1;
        for (const m of this.#pending.splice(0)) channel.port1.postMessage(m);
      }
      this.receive(message);
    };
    // Exact targetOrigin: if the frame was navigated to another origin, the browser drops the message.
    frame.contentWindow?.postMessage({ sealdesk: 'connect', version: BRIDGE_VERSION }, this.#origin, [channel.port2]);
  }
}
