/**
 * Headless runtimes against a real relay process: an agent runtime (memory store, the OPAQUE
 * client of the relay tests) that creates an account, and visitor runtimes on memory storage,
 * with Node's fetch and `ws` as their platform. Events are recorded for the assertions.
 */
import {
  type AgentEvents,
  type AgentInvite,
  type LinkPhase,
  type AgentRuntime,
  type VisitorEvents,
  type VisitorRuntime,
  type VisitorStorage,
  createAgentRuntime,
  createVisitorRuntime,
  memoryStore,
  memoryVisitorStorage,
  type RuntimeStore,
} from '../../../shared/runtime/index.js';
import { MemoryDatabase } from '../../../shared/storage/index.js';
import type { FetchLike, Timers } from '../../../shared/transport/index.js';
import { opaqueClient } from '../../relay/support/relay-api.js';
import { SocketTracker } from '../../transport/support/transport-fixture.js';

import { waitFor } from '../../transport/support/transport-fixture.js';

export { waitFor };

/** The author and record id (hex) of a history record PUT (PROTOCOL §9.2), or undefined for any other request. */
export function historyPut(
  url: string,
  init: { readonly method?: string },
): { readonly author: string; readonly recordIdHex: string } | undefined {
  const match = /\/history\/([0-9a-f]{32})\/([0-9a-f]+)$/.exec(new URL(url).pathname);
  if (init.method !== 'PUT' || match?.[1] === undefined || match[2] === undefined) return undefined;
  return { author: match[1], recordIdHex: match[2] };
}

const TUNING = { heartbeatMs: 0, backoff: { initialMs: 50, maxMs: 400 }, sendTimeoutMs: 3000, refusedRetryMs: 300 };

/** Every event of every type, in order. */
export class Recorder<Events> {
  readonly seen: { type: keyof Events; event: Events[keyof Events] }[] = [];

  of<K extends keyof Events>(type: K): Events[K][] {
    return this.seen.filter((s) => s.type === type).map((s) => s.event as Events[K]);
  }

  listen(
    on: <K extends keyof Events>(type: K, listener: (event: Events[K]) => void) => () => void,
    types: readonly (keyof Events)[],
  ): void {
    for (const type of types) on(type, (event) => this.seen.push({ type, event }));
  }
}

export interface AgentHandle {
  readonly runtime: AgentRuntime;
  readonly store: RuntimeStore;
  readonly db: MemoryDatabase;
  readonly events: Recorder<AgentEvents>;
  readonly sockets: SocketTracker;
}

/** `archiveDelayMs`: PROTOCOL §9.6's sealing delay when a test needs it shorter than the apps' 30–60 s. */
export function agentRuntime(
  db = new MemoryDatabase(),
  timers?: Timers,
  fetchImpl: FetchLike = fetch,
  archiveDelayMs?: number,
): AgentHandle {
  return { ...agentRuntimeOn(memoryStore(db), timers, fetchImpl, archiveDelayMs), db };
}

/** An agent runtime on any store: the Dexie adapter over fake-indexeddb, as the agent apps use Dexie. */
export function agentRuntimeOn(
  store: RuntimeStore,
  timers?: Timers,
  fetchImpl: FetchLike = fetch,
  archiveDelayMs?: number,
): Omit<AgentHandle, 'db'> {
  const sockets = new SocketTracker();
  const runtime = createAgentRuntime({
    store,
    opaque: opaqueClient,
    fetch: fetchImpl,
    WebSocket: sockets.WebSocket,
    tuning: TUNING,
    ...(archiveDelayMs === undefined ? {} : { archiveDelayMs }),
    ...(timers === undefined ? {} : { timers }),
  });
  const events = new Recorder<AgentEvents>();
  events.listen(runtime.on, [
    'message',
    'status',
    'typing',
    'alert',
    'conversation',
    'devices',
    'connection',
    'changeRequest',
    'changeRequestDenied',
    'cannedReplies',
    'presence',
    'teamActivity',
  ]);
  return { runtime, store, events, sockets };
}

/** The texts of a conversation's history on an agent device, earlier first (attachments and notes left out). */
export async function historyTexts(agent: AgentHandle, conversationId: string): Promise<string[]> {
  return (await agent.runtime.history(conversationId)).flatMap((m) => (m.body.kind === 'text' ? [m.body.text] : []));
}

export async function newAccount(origin: string, agent: Pick<AgentHandle, 'runtime'>, ownerName = 'Olga') {
  return agent.runtime.createAccount({
    relayUrl: origin,
    businessName: 'Corner Shop',
    ownerName,
    username: `runtime-${crypto.randomUUID()}@example.test`,
    password: 'correct horse battery staple',
    deviceKind: 'pwa',
  });
}

export interface VisitorHandle {
  readonly runtime: VisitorRuntime;
  readonly storage: VisitorStorage & { readonly db: MemoryDatabase };
  readonly events: Recorder<VisitorEvents>;
  readonly sockets: SocketTracker;
}

export function visitorRuntime(
  origin: string,
  accountId: string,
  pin: string,
  db = new MemoryDatabase(),
  sockets = new SocketTracker(),
  timers?: Timers,
): VisitorHandle {
  const storage = memoryVisitorStorage(db);
  const runtime = createVisitorRuntime({
    relayUrl: origin,
    accountId,
    pin,
    storage,
    fetch,
    WebSocket: sockets.WebSocket,
    tuning: TUNING,
    ...(timers === undefined ? {} : { timers }),
  });
  const events = new Recorder<VisitorEvents>();
  events.listen(runtime.on, ['message', 'status', 'typing', 'alert', 'connection', 'closed']);
  return { runtime, storage, events, sockets };
}

/**
 * A visitor on `origin` (a fresh memory database) opens a conversation with the account and writes
 * `text`; resolves once every one of `agents` has shown it.
 */
export async function visitorWrites(
  origin: string,
  account: { readonly accountId: string; readonly pin: string },
  text: string,
  agents: readonly AgentHandle[],
): Promise<{ readonly visitor: VisitorHandle; readonly conversationId: string; readonly messageId: string }> {
  const visitor = visitorRuntime(origin, account.accountId, account.pin);
  await visitor.runtime.start();
  const { conversationId } = await visitor.runtime.openConversation();
  const messageId = await visitor.runtime.sendText(text);
  for (const a of agents) await waitFor(() => a.events.of('message').some((m) => m.id === messageId), `"${text}"`);
  return { visitor, conversationId, messageId };
}

export function codeOf(phases: readonly LinkPhase[]): string | undefined {
  for (const p of phases) if (p.phase === 'compare-codes') return p.code;
  return undefined;
}

/**
 * Links a new agent runtime to `owner`'s account: `owner` shows the code, the new one reads it, both
 * confirm. With `invite`, the new device is the first device of a new agent (PROTOCOL §4.5).
 */
export async function link(
  origin: string,
  owner: AgentHandle,
  invite?: AgentInvite,
  deviceKind: 'extension' | 'pwa' = 'extension',
  added = agentRuntime(),
): Promise<AgentHandle> {
  const phases: LinkPhase[] = [];
  const ownerPhases: LinkPhase[] = [];
  added.runtime.on('link', (p) => phases.push(p));
  const stop = owner.runtime.on('link', (p) => ownerPhases.push(p));
  const { code } = await owner.runtime.startLinkAsExistingDevice(invite);
  await added.runtime.linkAsNewDevice({ relayUrl: origin, scanned: code, deviceKind });
  await waitFor(() => codeOf(phases) !== undefined && codeOf(ownerPhases) !== undefined, 'both codes');
  if (codeOf(phases) !== codeOf(ownerPhases)) throw new Error('the two devices show different codes');
  await added.runtime.confirmLink(true);
  await owner.runtime.confirmLink(true);
  await waitFor(() => phases.some((p) => p.phase === 'linked'), 'the new device linked', 20_000);
  stop();
  if (!(await added.runtime.status()).enrolled) throw new Error('the linked device is not enrolled');
  return added;
}

/**
 * Waits until every agent holds the archive key of its newest device list (PROTOCOL §9.1): team
 * records, events and signals are sealed under it, and wait on a device that does not hold it yet.
 */
export async function waitForCurrentArchiveKey(agents: readonly AgentHandle[]): Promise<void> {
  for (const a of agents)
    await waitFor(
      async () => {
        await a.runtime.conversations();
        const keyring = (await a.store.archive())?.keyring;
        return keyring !== undefined && keyring.keys.at(-1)?.epoch === keyring.listVersion;
      },
      'the current archive key on every device',
      30_000,
    );
}
