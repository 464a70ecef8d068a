/**
 * Idle memory per connection: the server's RSS before and after `connections` idle WebSockets are
 * open. For the relay these are authenticated visitors (hello-visitor), each with its own
 * conversation, opened over HTTP beforehand; main.ts then restarts the relay on the same data
 * directory so the baseline is a fresh process and only the connections are counted.
 * RSS is also read halfway: the slope over the second half leaves out one-time growth of the
 * heap that the first connections trigger.
 */
import { BenchError } from './bench-error.js';
import { closeSocket, openSocket } from './plain-socket.js';
import type { Reply, Target } from './ipc.js';
import { rssBytes } from './proc-stats.js';
import { RelayClient } from './relay-client.js';
import { type VisitorTicket, createAccount, openConversation } from './relay-setup.js';
import { inPool } from './pool.js';
import { countProblem } from './topology.js';

const CONNECT_CONCURRENCY = 64;
const HTTP_CONCURRENCY = 8;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Closable {
  close(): Promise<void>;
}

async function openBare(url: string): Promise<Closable> {
  const ws = await openSocket(url);
  return { close: () => closeSocket(ws) };
}

/** Opens the relay conversations the idle visitors will use (before the server is restarted). */
export async function prepareIdleVisitors(origin: string, connections: number): Promise<VisitorTicket[]> {
  const account = await createAccount(origin);
  return inPool(connections, HTTP_CONCURRENCY, () => openConversation(origin, account.accountId));
}

export async function measureIdle(
  target: Target,
  url: string,
  serverPid: number,
  connections: number,
  settleMs: number,
  tickets: readonly VisitorTicket[],
): Promise<Extract<Reply, { kind: 'idle-result' }>> {
  if (target === 'relay' && tickets.length < connections)
    throw new BenchError(`${tickets.length} idle visitors prepared, ${connections} needed`);
  const problems = new Map<string, number>();
  const open = (i: number): Promise<Closable> => {
    if (target === 'bare') return openBare(`${url}/${i}`);
    const visitor = tickets[i];
    if (visitor === undefined) throw new BenchError('missing idle visitor');
    return RelayClient.connect(
      url,
      { visitor },
      {
        onBody: () => undefined,
        onProblem: (what) => {
          countProblem(problems, what);
        },
      },
    );
  };
  await sleep(settleMs);
  const rssBefore = rssBytes(serverPid);
  const connectStart = performance.now();
  const half = Math.floor(connections / 2);
  const first = await inPool(half, CONNECT_CONCURRENCY, open);
  await sleep(settleMs);
  const rssHalf = rssBytes(serverPid);
  const second = await inPool(connections - half, CONNECT_CONCURRENCY, (i) => open(half + i));
  const connectSeconds = (performance.now() - connectStart) / 1000 - settleMs / 1000;
  await sleep(settleMs);
  const rssAfter = rssBytes(serverPid);
  const sockets = [...first, ...second];
  await inPool(sockets.length, CONNECT_CONCURRENCY, async (i) => {
    await sockets[i]?.close();
  });
  return {
    kind: 'idle-result',
    connections: sockets.length,
    halfway: half,
    rssBefore,
    rssHalf,
    rssAfter,
    connectSeconds,
    problems: Object.fromEntries(problems),
  };
}
