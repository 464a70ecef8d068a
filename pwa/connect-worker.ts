/** Page side: a new bridge channel to the runtime worker (one MessageChannel per connection). */
import type { BridgeChannel } from '../ui/bridge/bridge-channel.js';
import { createMessagePortChannel } from '../ui/bridge/message-port-channel.js';
import { CONNECT_MESSAGE } from './worker-protocol.js';

export function connectWorker(worker: Worker): BridgeChannel {
  const { port1, port2 } = new MessageChannel();
  worker.postMessage(CONNECT_MESSAGE, [port2]);
  return createMessagePortChannel(port1);
}
