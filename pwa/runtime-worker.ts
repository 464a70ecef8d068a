/**
 * The PWA's runtime worker (a dedicated module worker per tab). It hosts the agent runtime for the
 * page through the same bridge as the extension's background, so key stretching, crypto and the
 * relay connection run off the page's main thread; only the tab holding the runtime lock runs it.
 */
import { createMessagePortChannel } from '../ui/bridge/message-port-channel.js';
import { createRuntimeHost } from '../ui/bridge/runtime-host.js';
import { createPwaRuntime } from './create-runtime.js';
import { holdRuntimeLock, type LockManagerLike } from './runtime-lock.js';
import { CONNECT_MESSAGE } from './worker-protocol.js';

/** What this file uses of DedicatedWorkerGlobalScope (the project's typings are the DOM's). */
interface WorkerScope {
  readonly navigator: { readonly locks: LockManagerLike };
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}

function startRuntimeWorker(scope: WorkerScope): void {
  const host = createRuntimeHost(async () => {
    await holdRuntimeLock(scope.navigator.locks);
    return createPwaRuntime();
  });
  scope.addEventListener('message', (event) => {
    const port = event.ports[0];
    if (event.data === CONNECT_MESSAGE && port !== undefined) host.accept(createMessagePortChannel(port));
  });
}

startRuntimeWorker(self);
