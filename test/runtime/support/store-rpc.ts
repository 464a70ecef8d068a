/**
 * A store whose database lives in the test's thread while the runtime runs in a worker that can be
 * terminated at any instant. The database's backend (a MemoryDatabase) is served across a
 * MessagePort; the worker runs the real ClientStore (shared/storage/record-store.ts) on top, so
 * X25519 keys are wrapped where they were made (shared/crypto/x25519-wrap.ts keeps their wrapped
 * forms per thread). A commit is one `apply` message: it reaches the database whole or not at all,
 * as a transaction reaches IndexedDB. Its `update` operations are resolved in the worker first
 * (one `get` each), which is sound because the worker is the database's only writer. Values cross
 * by structured clone, which keeps non-extractable CryptoKeys (Node's v8.serialize, hence a child
 * process's IPC, refuses them: that is why the crash tests run the runtime in a worker).
 */
import type { MessagePort } from 'node:worker_threads';
import type { RuntimeShapes } from '../../../shared/runtime/index.js';
import {
  type BackendOp,
  type ClientStore,
  type MemoryDatabase,
  type StoreBackend,
  createClientStore,
  memoryBackend,
} from '../../../shared/storage/index.js';

type Method = 'get' | 'keysWithPrefix' | 'list' | 'apply';
interface Request {
  readonly id: number;
  readonly method: Method;
  readonly args: readonly unknown[];
}
type Reply = { readonly id: number; readonly value: unknown } | { readonly id: number; readonly error: string };

function perform(backend: StoreBackend, request: Request): Promise<unknown> {
  const [first, second] = request.args;
  switch (request.method) {
    case 'get':
      return backend.get(first as string);
    case 'keysWithPrefix':
      return backend.keysWithPrefix(first as string);
    case 'list':
      return backend.list(first as Parameters<StoreBackend['list']>[0], second as Parameters<StoreBackend['list']>[1]);
    case 'apply':
      return backend.apply(first as readonly BackendOp[]);
  }
}

/** Serves the backend of `db` on `port` (the test's side). */
export function serveBackend(db: MemoryDatabase, port: MessagePort): void {
  const backend = memoryBackend(db);
  port.on('message', (request: Request) => {
    perform(backend, request).then(
      (value) => {
        port.postMessage({ id: request.id, value } satisfies Reply);
      },
      (error: unknown) => {
        port.postMessage({ id: request.id, error: String(error) } satisfies Reply);
      },
    );
  });
}

/** The worker's side: the real ClientStore over a backend whose every call is a request over `port`. */
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
  const call = <T>(method: Method, ...args: readonly unknown[]): Promise<T> =>
    new Promise((ok, fail) => {
      const id = ++next;
      waiting.set(id, { ok: ok as (v: unknown) => void, fail });
      port.postMessage({ id, method, args } satisfies Request);
    });
  const backend: StoreBackend = {
    get: (key) => call('get', key),
    keysWithPrefix: (prefix) => call('keysWithPrefix', prefix),
    list: (store, scan) => call('list', store, scan),
    async apply(ops) {
      // Functions do not cross threads: an update becomes the put (or nothing) it decides on.
      const resolved: BackendOp[] = [];
      for (const op of ops) {
        if (op.op !== 'update') {
          resolved.push(op);
          continue;
        }
        const record = op.update(await call('get', op.key));
        if (record !== undefined) resolved.push({ op: 'put', key: op.key, record });
      }
      return call('apply', resolved);
    },
    close: () => undefined,
  };
  return createClientStore<RuntimeShapes>(backend);
}
