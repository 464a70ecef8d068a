/**
 * A ClientStore served across a MessagePort: the store (and its MemoryDatabase) lives in the test's
 * thread, the runtime in a worker that can be terminated at any instant. A commit is one message: it
 * reaches the store whole or not at all, as a transaction reaches IndexedDB. Values cross by
 * structured clone, which keeps non-extractable CryptoKeys (Node's v8.serialize, hence a child
 * process's IPC, refuses them: that is why the crash test runs the runtime in a worker).
 */
import type { MessagePort } from 'node:worker_threads';
import type { ClientStore } from '../../../shared/storage/index.js';
import type { RuntimeShapes, RuntimeStore } from '../../../shared/runtime/index.js';

type Method = Exclude<keyof RuntimeStore, 'close'>;
interface Request {
  readonly id: number;
  readonly method: Method;
  readonly args: unknown[];
}
type Reply = { readonly id: number; readonly value: unknown } | { readonly id: number; readonly error: string };

/** Serves `store` on `port` (the test's side). */
export function serveStore(store: RuntimeStore, port: MessagePort): void {
  port.on('message', (request: Request) => {
    const methods = store as unknown as Record<Method, (...args: unknown[]) => Promise<unknown>>;
    methods[request.method](...request.args).then(
      (value) => {
        port.postMessage({ id: request.id, value } satisfies Reply);
      },
      (error: unknown) => {
        port.postMessage({ id: request.id, error: String(error) } satisfies Reply);
      },
    );
  });
}

/** The worker's side: every method is a request over `port`. */
export function storeOverPort(port: MessagePort): ClientStore<RuntimeShapes> {
  let next = 0;
  const waiting = new Map<number, { ok: (v: unknown) => void; fail: (e: Error) => void }>();
  port.on('message', (reply: Reply) => {
    const w = waiting.get(reply.id);
    waiting.delete(reply.id);
    if (w === undefined) return;
    if ('error' in reply) w.fail(new Error(reply.error));
    else w.ok(reply.value);
  });
  const call =
    (method: Method) =>
    (...args: unknown[]): Promise<never> =>
      new Promise((ok, fail) => {
        const id = ++next;
        waiting.set(id, { ok: ok as (v: unknown) => void, fail });
        port.postMessage({ id, method, args } satisfies Request);
      });
  return {
    deviceKeys: call('deviceKeys'),
    account: call('account'),
    prekeys: call('prekeys'),
    archive: call('archive'),
    directory: call('directory'),
    conversation: call('conversation'),
    conversationIds: call('conversationIds'),
    outbox: call('outbox'),
    history: call('history'),
    cursor: call('cursor'),
    setting: call('setting'),
    commit: call('commit'),
    close: () => Promise.resolve(),
  };
}
