/**
 * The visitor runtime of the crash test, in a worker the test terminates at random instants. It
 * resumes from the store served by the test (store-rpc.ts), opens the conversation if there is
 * none, and sends `v-<k>` every few milliseconds until it has sent `total` messages (k counted from
 * its stored messages, so a restart goes on where the store says). It reports to the test: the
 * conversation view it resumed, every message event, and every envelope it puts on the socket.
 */
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';
import { createVisitorRuntime } from '../../../shared/runtime/index.js';
import { storeOverPort } from './store-rpc.js';

interface CrashWorkerData {
  readonly origin: string;
  readonly accountId: string;
  readonly pin: string;
  readonly total: number;
  readonly storePort: MessagePort;
  readonly hasStore: boolean;
}

export async function runCrashVisitor(): Promise<void> {
  const data = workerData as CrashWorkerData;
  const report = (message: unknown): void => {
    parentPort?.postMessage(message);
  };
  const store = storeOverPort(data.storePort);
  let created = data.hasStore;
  class RecordingSocket extends WebSocket {
    constructor(url: string) {
      super(url, { perMessageDeflate: false });
    }
    override send(frame: Uint8Array): void {
      report({ type: 'wire', frame });
      super.send(frame);
    }
  }
  const runtime = createVisitorRuntime({
    relayUrl: data.origin,
    accountId: data.accountId,
    pin: data.pin,
    storage: {
      existing: () => Promise.resolve(created ? store : undefined),
      create: () => {
        created = true;
        report({ type: 'store-created' });
        return Promise.resolve(store);
      },
    },
    fetch,
    WebSocket: RecordingSocket,
    tuning: { heartbeatMs: 0, backoff: { initialMs: 30, maxMs: 200 }, sendTimeoutMs: 3000 },
  });
  runtime.on('message', (m) => {
    report({ type: 'live', id: m.id, from: m.from, text: m.body.kind === 'text' ? m.body.text : m.body.kind });
  });
  const ready = await runtime.start();
  let view = ready.conversation;
  report({ type: 'resumed', ids: view?.messages.map((m) => m.id) ?? [] });
  view ??= await runtime.openConversation();
  let sent = view.messages.filter((m) => m.from === 'self' && m.body.kind === 'text').length;
  while (sent < data.total) {
    await runtime.sendText(`v-${sent}`);
    sent += 1;
    await new Promise((r) => setTimeout(r, 10));
  }
  report({ type: 'all-sent' });
}
