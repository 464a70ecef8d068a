/**
 * The isolated mode's frame page script (dist/widget/frame-<hash>.js, pinned by frame.html; issue #12
 * item 5, F13, THREAT-MODEL §8). The business hosts frame.html on an origin it controls, so the host
 * page's scripts cannot read the chat. The page takes exactly one `connect` message, from its parent
 * window at the parent origin named in its address, with one MessagePort; every other message is
 * ignored and counted (`data-ignored-messages` on this document's root). It sends over the port only
 * what the launcher needs: ready, hide, the unread count and the colour.
 */
import type { ChatHost } from '../bridge/chat-contract.js';
import { type FrameToLoader, isConnect, parseLoaderMessage } from '../bridge/frame-messages.js';
import { OriginGuard } from '../bridge/origin-guard.js';
import { renderChat } from '../chat/render-chat.js';
import { widgetRuntimes } from '../chat/visitor-runtime-factory.js';
import { InvalidSnippetError } from '../snippet/snippet-errors.js';
import { parseSnippet, type SnippetOptions } from '../snippet/snippet-options.js';

function settings(): { readonly options: SnippetOptions; readonly parent: string } {
  const params = new URLSearchParams(location.hash.slice(1));
  const options = parseSnippet({
    relay: params.get('relay') ?? '',
    account: params.get('account') ?? '',
    pin: params.get('pin') ?? '',
  });
  const parent = params.get('parent') ?? '';
  let origin = '';
  try {
    origin = new URL(parent).origin;
  } catch {
    // handled below
  }
  if (origin !== parent || origin === 'null' || origin === location.origin) {
    throw new InvalidSnippetError(
      'the frame address must name the page’s origin as parent= (another origin than the frame’s)',
    );
  }
  return { options, parent };
}

function start(base: string): void {
  let found: ReturnType<typeof settings>;
  try {
    found = settings();
  } catch (error) {
    console.error('Sealdesk: the chat frame did not start:', error instanceof Error ? error.message : error);
    document.body.textContent = 'This chat frame is not set up correctly.';
    return;
  }
  const { options, parent } = found;
  const record = (ignored: number): void => {
    document.documentElement.dataset['ignoredMessages'] = String(ignored);
  };
  const guard = new OriginGuard(parent, () => (window.parent === window ? null : window.parent), record);
  let port: MessagePort | undefined;
  const send = (message: FrameToLoader): void => {
    port?.postMessage(message);
  };
  const host: ChatHost = {
    hide: () => {
      send({ t: 'hide' });
    },
    unread: (n) => {
      send({ t: 'unread', n });
    },
    look: ({ colour, position }) => {
      send({ t: 'look', colour, position });
    },
  };
  const element = document.createElement('sealdesk-chat');
  const root = element.attachShadow({ mode: 'closed' });
  const slot = document.createElement('div');
  slot.className = 'framed';
  root.append(slot);
  document.body.append(element);
  const site = new URL(parent).hostname;
  const chat = renderChat({ slot, root, options, site, host, assets: { base, nonce: '' } }, widgetRuntimes(options));

  addEventListener('message', (event) => {
    if (!guard.accepts(event)) return;
    const offered = event.ports[0];
    if (port !== undefined || !isConnect(event.data) || event.ports.length !== 1 || offered === undefined) {
      guard.ignore(event.origin);
      return;
    }
    port = offered;
    port.onmessage = (message) => {
      const command = parseLoaderMessage(message.data);
      if (command === undefined) guard.ignore(parent);
      else if (command.t === 'show') chat.show();
      else chat.hide();
    };
    send({ t: 'ready' });
  });
}

const own = document.currentScript;
start(own instanceof HTMLScriptElement ? own.src : location.href);
