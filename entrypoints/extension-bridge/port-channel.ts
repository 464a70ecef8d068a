/**
 * A BridgeChannel over an extension port (runtime.connect / onConnect). Chromium serialises port
 * messages as JSON, so the channel declares mode 'json' and the bridge encodes bytes and Blobs.
 * When the MV3 service worker stops, the port disconnects and `onClose` fires on the page.
 */
import type { Browser } from '@wxt-dev/browser';
import type { BridgeChannel } from '../../ui/bridge/bridge-channel.js';
import { createCloseSignal } from '../../ui/bridge/close-signal.js';

export function createPortChannel(port: Browser.runtime.Port): BridgeChannel {
  const signal = createCloseSignal();
  port.onDisconnect.addListener(() => {
    signal.fire();
  });

  return {
    mode: 'json',
    post(message) {
      if (signal.closed) return;
      try {
        port.postMessage(message);
      } catch {
        signal.fire(); // posting on a port whose other end has gone throws: that is a close
      }
    },
    onMessage(listener) {
      const wrapped = (message: unknown): void => {
        listener(message);
      };
      port.onMessage.addListener(wrapped);
      return () => {
        port.onMessage.removeListener(wrapped);
      };
    },
    onClose: (listener) => signal.onClose(listener),
    close() {
      if (signal.closed) return;
      port.disconnect();
      signal.fire();
    },
  };
}
