/**
 * Two connected BridgeChannels in one process for bridge unit tests. 'json' copies every message
 * through JSON.stringify/parse, as Chromium's extension ports do; 'structured' uses a real
 * MessageChannel (structured clone), as the PWA's worker channel does.
 */
import type { BridgeChannel, ChannelMode } from '../../../ui/bridge/bridge-channel.js';
import { createCloseSignal } from '../../../ui/bridge/close-signal.js';
import { createMessagePortChannel } from '../../../ui/bridge/message-port-channel.js';

export interface ChannelPair {
  readonly page: BridgeChannel;
  readonly host: BridgeChannel;
  /** Drops the connection from the host's side, as a stopped service worker does. */
  kill(): void;
}

function jsonPair(): ChannelPair {
  const signal = createCloseSignal();
  const listeners = { page: new Set<(message: unknown) => void>(), host: new Set<(message: unknown) => void>() };
  function end(to: 'page' | 'host'): BridgeChannel {
    const other = to === 'page' ? 'host' : 'page';
    return {
      mode: 'json',
      post(message) {
        if (signal.closed) return;
        const copy: unknown = JSON.parse(JSON.stringify(message));
        setTimeout(() => {
          if (!signal.closed) for (const listener of listeners[other]) listener(copy);
        }, 0);
      },
      onMessage(listener) {
        listeners[to].add(listener);
        return () => listeners[to].delete(listener);
      },
      onClose: (listener) => signal.onClose(listener),
      close: () => {
        signal.fire();
      },
    };
  }
  return {
    page: end('page'),
    host: end('host'),
    kill: () => {
      signal.fire();
    },
  };
}

function structuredPair(): ChannelPair {
  const { port1, port2 } = new MessageChannel();
  const page = createMessagePortChannel(port1);
  const host = createMessagePortChannel(port2);
  return {
    page,
    host,
    kill: () => {
      host.close();
    },
  };
}

export function channelPair(mode: ChannelMode): ChannelPair {
  return mode === 'json' ? jsonPair() : structuredPair();
}
