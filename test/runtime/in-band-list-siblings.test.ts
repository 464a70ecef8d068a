/**
 * PROTOCOL §7.6, §4.4 step 5: when a visitor's frame names an older device list (a device was
 * linked since), each agent device sends the visitor the lists it lacks in-band. Its siblings get
 * that message too and already accepted every list in it: only lists newer than the visitor's are
 * sent, so no sibling refuses an old one as a rollback (a false danger alert on honest devices,
 * found by the team journey of issue #15).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RelayProcess, makeDataDir, startRelayProcess } from '../relay/support/relay-process.js';
import { type AgentHandle, agentRuntime, link, newAccount, visitorRuntime, waitFor } from './support/runtime-world.js';

describe('§7.6: in-band device lists reach the siblings without a false rollback alert', () => {
  const data = makeDataDir();
  let relay: RelayProcess;
  let owner: AgentHandle;

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir, { SEALDESK_MESSAGES_PER_SECOND: '5000' });
    owner = agentRuntime();
  }, 60_000);

  afterAll(async () => {
    owner.runtime.dispose();
    await relay.stop('SIGKILL');
    data.remove();
  });

  it('a device linked mid-conversation: the agent devices send the newer list in-band and none raises a rollback alert', async () => {
    const pin = (await newAccount(relay.origin, owner)).fingerprint;
    const accountId = (await owner.runtime.status()).accountId ?? '';
    const second = await link(relay.origin, owner);
    const visitor = visitorRuntime(relay.origin, accountId, pin);
    await visitor.runtime.start();
    const { conversationId } = await visitor.runtime.openConversation();
    const hello = await visitor.runtime.sendText('hello team');
    for (const a of [owner, second]) await waitFor(() => a.events.of('message').some((m) => m.id === hello), 'hello');

    // A third device joins (list version 3); the visitor's next frame still names version 2.
    const third = await link(relay.origin, owner);
    const behind = await visitor.runtime.sendText('still on the old list');
    for (const a of [owner, second])
      await waitFor(() => a.events.of('message').some((m) => m.id === behind), 'the frame naming the old list');
    // Each of the two answered with the newer list in-band, a message its sibling gets as well; a
    // reply sent after it reaches the sibling only after the list did (one sender's messages in order).
    const fromOwner = await owner.runtime.sendText(conversationId, 'welcome, third device');
    const fromSecond = await second.runtime.sendText(conversationId, 'hello from the second device');
    await waitFor(
      () => second.events.of('message').some((m) => m.id === fromOwner),
      'the owner’s reply at the sibling',
    );
    await waitFor(() => owner.events.of('message').some((m) => m.id === fromSecond), 'the second’s reply at the owner');
    for (const m of [fromOwner, fromSecond])
      await waitFor(() => visitor.events.of('message').some((v) => v.id === m), 'the replies at the visitor');

    for (const a of [owner, second, third])
      expect(a.events.of('alert').filter((alert) => alert.kind === 'rollback')).toEqual([]);
    third.runtime.dispose();
    second.runtime.dispose();
  }, 120_000);
});
