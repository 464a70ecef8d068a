/**
 * A real relay process, the hostile proxy in front of it, and the real runtimes (agent and
 * visitor, Node's fetch and `ws`) talking ONLY to the proxy: the setting of test/hostile/.
 */
import { type ChatMessage, defaultWidgetConfig } from '../../shared/runtime/index.js';
import { MemoryDatabase } from '../../shared/storage/index.js';
import { type RelayProcess, makeDataDir, startRelayProcess } from '../relay/support/relay-process.js';
import {
  type AgentHandle,
  type VisitorHandle,
  agentRuntime,
  newAccount,
  visitorRuntime,
  waitFor,
} from '../runtime/support/runtime-world.js';
import { HostileProxy } from './hostile-proxy.js';

export { waitFor } from '../runtime/support/runtime-world.js';

export interface HostileWorld {
  readonly relay: RelayProcess;
  readonly proxy: HostileProxy;
  readonly agent: AgentHandle;
  readonly accountId: string;
  readonly pin: string;
  /** A visitor runtime whose relay is the proxy (a fresh memory database unless given). */
  visitor(db?: MemoryDatabase): VisitorHandle;
  /** A fresh visitor with an open conversation whose first message ("hello") the agent has shown. */
  conversation(): Promise<{ visitor: VisitorHandle; conversationId: string }>;
  stop(): Promise<void>;
}

/** Relay (`env` added to its environment), proxy, and an account created by the agent runtime through the proxy. */
export async function hostileWorld(env: Readonly<Record<string, string>> = {}): Promise<HostileWorld> {
  const data = makeDataDir();
  const relay = await startRelayProcess(data.dir, { SEALDESK_MESSAGES_PER_SECOND: '5000', ...env });
  const proxy = await HostileProxy.start(relay.origin);
  const agent = agentRuntime();
  const pin = (await newAccount(proxy.origin, agent)).fingerprint;
  const accountId = (await agent.runtime.status()).accountId ?? '';
  await agent.runtime.publishWidgetConfig({ ...defaultWidgetConfig(), businessName: 'Corner Shop', greeting: 'Hi' });
  const visitors: VisitorHandle[] = [];
  const visitor = (db = new MemoryDatabase()): VisitorHandle => {
    const v = visitorRuntime(proxy.origin, accountId, pin, db);
    visitors.push(v);
    return v;
  };
  return {
    relay,
    proxy,
    agent,
    accountId,
    pin,
    visitor,
    conversation: async () => {
      const v = visitor();
      await v.runtime.start();
      const { conversationId } = await v.runtime.openConversation();
      const hello = await v.runtime.sendText('hello');
      await waitFor(() => agent.events.of('message').some((m) => m.id === hello), 'the first visitor message');
      return { visitor: v, conversationId };
    },
    stop: async () => {
      for (const v of visitors) v.runtime.dispose();
      agent.runtime.dispose();
      await proxy.stop();
      await relay.stop('SIGKILL');
      data.remove();
    },
  };
}

/** The texts a person sees, in the order shown (attachments and closes by their kind). */
export function textsOf(messages: readonly ChatMessage[]): string[] {
  return messages.map((m) => (m.body.kind === 'text' || m.body.kind === 'note' ? m.body.text : m.body.kind));
}
