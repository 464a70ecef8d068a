/**
 * A BridgeChannel over a MessagePort (the PWA page and its runtime worker): structured clone, so
 * bytes and Blobs travel as they are. A port has no portable close event, so `close()` sends a
 * control message first and the other side reports it through `onClose`.
 */
import type { BridgeChannel } from './bridge-channel.js';
import { createCloseSignal } from './close-signal.js';

const CLOSE = '$channel-close';

export interface PortLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  start(): void;
  close(): void;
}

export function createMessagePortChannel(port: PortLike): BridgeChannel {
  const messageListeners = new Set<(message: unknown) => void>();
  const signal = createCloseSignal();

  function finish(): void {
    if (signal.closed) return;
    port.removeEventListener('message', receive);
    port.close();
    signal.fire();
  }

  function receive(event: MessageEvent): void {
    const data: unknown = event.data;
    if (data === CLOSE) {
      finish();
      return;
    }
    for (const listener of [...messageListeners]) listener(data);
  }

  port.addEventListener('message', receive);
  port.start();

  return {
    mode: 'structured',
    post(message) {
      if (!signal.closed) port.postMessage(message);
    },
    onMessage(listener) {
      messageListeners.add(listener);
      return () => {
        messageListeners.delete(listener);
      };
    },
    onClose: (listener) => signal.onClose(listener),
    close() {
      if (signal.closed) return;
      port.postMessage(CLOSE);
      finish();
    },
  };
}
