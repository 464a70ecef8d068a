/**
 * The agent runtime of the agent-side crash test, in a worker terminated at random instants. It
 * loads its device from the store served by the test (store-rpc.ts), connects, and answers every
 * visitor text `t` with `a-t`, exactly once and in order: what is still unanswered is read from its
 * stored history each round (never from events, which a crash can lose). Reports like the visitor's.
 */
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';
import { createAgentRuntime } from '../../../shared/runtime/index.js';
import { serenityOpaqueClient } from '../../../shared/transport/opaque/index.js';
import { storeOverPort } from './store-rpc.js';

interface CrashAgentData {
  readonly total: number;
  readonly storePort: MessagePort;
}

export async function runCrashAgent(): Promise<void> {
  const data = workerData as CrashAgentData;
  const report = (message: unknown): void => {
    parentPort?.postMessage(message);
  };
  class RecordingSocket extends WebSocket {
    constructor(url: string) {
      super(url, { perMessageDeflate: false });
    }
    override send(frame: Uint8Array): void {
      report({ type: 'wire', frame });
      super.send(frame);
    }
  }
  const runtime = createAgentRuntime({
    store: storeOverPort(data.storePort),
    opaque: serenityOpaqueClient(),
    fetch,
    WebSocket: RecordingSocket,
    tuning: { heartbeatMs: 0, backoff: { initialMs: 30, maxMs: 200 }, sendTimeoutMs: 3000 },
  });
  runtime.on('message', (m) => {
    report({ type: 'live', id: m.id, from: m.from, text: m.body.kind === 'text' ? m.body.text : m.body.kind });
  });
  const status = await runtime.status();
  const resumed: string[] = [];
  for (const c of await runtime.conversations())
    for (const m of await runtime.history(c.conversationId)) resumed.push(m.id);
  report({ type: 'resumed', ids: resumed, enrolled: status.enrolled });
  for (;;) {
    let answered = 0;
    for (const c of await runtime.conversations()) {
      const history = await runtime.history(c.conversationId);
      const asked = history.flatMap((m) => (m.from === 'visitor' && m.body.kind === 'text' ? [m.body.text] : []));
      const replies = history.filter((m) => m.from === 'self' && m.body.kind === 'text').length;
      for (let i = replies; i < asked.length; i++) await runtime.sendText(c.conversationId, `a-${asked[i] ?? ''}`);
      answered += asked.length;
    }
    if (answered >= data.total) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  report({ type: 'all-sent' });
}
