/**
 * TEST CODE ONLY: the business behind the widget's end-to-end test (issue #12 "Done when"): an account
 * created on a real relay by the real agent runtime in Node (memory store, the relay tests' OPAQUE
 * client, Node's fetch and `ws`), its signed widget configuration published, and its real pin.
 */
import type { HexId } from '../../../shared/runtime/index.js';
import { type AgentHandle, agentRuntime } from '../../runtime/support/runtime-world.js';
import { SCRIPTED_CONFIG } from './scripted-visitor-runtime.js';

export interface E2eBusiness {
  readonly agent: AgentHandle;
  readonly accountId: HexId;
  /** The account key's fingerprint, the pin the business puts in its snippet. */
  readonly pin: string;
  dispose(): void;
}

/** A business named `name` whose owner device (agent `ownerName`) runs the agent runtime here. */
export async function createE2eBusiness(relayOrigin: string, name: string, ownerName: string): Promise<E2eBusiness> {
  const agent = agentRuntime();
  const created = await agent.runtime.createAccount({
    relayUrl: relayOrigin,
    businessName: name,
    ownerName,
    username: `widget-e2e-${crypto.randomUUID()}@example.test`,
    password: 'correct horse battery staple',
    deviceKind: 'pwa',
  });
  await agent.runtime.publishWidgetConfig({ ...SCRIPTED_CONFIG, businessName: name });
  const accountId = (await agent.runtime.status()).accountId;
  if (accountId === undefined) throw new Error('the agent runtime created an account but reports no account id');
  return {
    agent,
    accountId,
    pin: created.fingerprint,
    dispose() {
      agent.runtime.dispose();
    },
  };
}
