/**
 * Issue #15 item 6 through the runtimes and a real relay process: the visitor learns in plain
 * words that the business (or its own address) opened too many chats, and Retry-After is kept;
 * an agent blocks a visitor, who is told so, and the agent's devices receive nothing more from it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RateLimitedError } from '../../shared/transport/index.js';
import { REFUSAL_KINDS } from '../../shared/runtime/index.js';
import { type RelayProcess, makeDataDir, startRelayProcess } from '../relay/support/relay-process.js';
import { type AgentHandle, agentRuntime, newAccount, visitorRuntime, waitFor } from './support/runtime-world.js';

const PER_ACCOUNT = 2;
const PER_ADDRESS = 3;

async function business(origin: string): Promise<{ agent: AgentHandle; accountId: string; pin: string }> {
  const agent = agentRuntime();
  const created = await newAccount(origin, agent);
  await agent.runtime.publishWidgetConfig({
    businessName: 'Corner Shop',
    greeting: 'Hello!',
    colour: '#225588',
    position: 'bottom-right',
    language: 'en',
    expectedReplyMinutes: 5,
    businessHours: [],
    timeZone: 'Europe/Berlin',
  });
  return { agent, accountId: (await agent.runtime.status()).accountId ?? '', pin: created.fingerprint };
}

describe('#15.6: rate limits and blocks a visitor understands', () => {
  const data = makeDataDir();
  let relay: RelayProcess;
  let shop: Awaited<ReturnType<typeof business>>;
  let other: Awaited<ReturnType<typeof business>>;

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir, {
      SEALDESK_ACCOUNT_CONVERSATIONS_PER_HOUR: String(PER_ACCOUNT),
      SEALDESK_CONVERSATIONS_PER_HOUR: String(PER_ADDRESS),
    });
    shop = await business(relay.origin);
    other = await business(relay.origin);
  }, 60_000);

  afterAll(async () => {
    shop.agent.runtime.dispose();
    other.agent.runtime.dispose();
    await relay.stop('SIGKILL');
    data.remove();
  });

  it('blocks a visitor: it is told plainly, cannot come back with its key, and the agent receives nothing more', async () => {
    const visitor = visitorRuntime(relay.origin, shop.accountId, shop.pin);
    await visitor.runtime.start();
    const { conversationId } = await visitor.runtime.openConversation();
    await visitor.runtime.sendText('first');
    const { agent } = shop;
    await waitFor(() => agent.events.of('message').some((m) => m.conversationId === conversationId), 'first message');

    await agent.runtime.blockVisitor(conversationId);
    expect((await agent.runtime.blockedConversations()).map((b) => b.conversationId)).toEqual([conversationId]);
    await waitFor(() => visitor.events.of('alert').some((a) => a.kind === REFUSAL_KINDS.blocked), 'the blocked alert');
    const told = visitor.events.of('alert').find((a) => a.kind === REFUSAL_KINDS.blocked);
    expect(told?.text).toBe('The business does not accept messages from this chat.');
    expect(visitor.events.of('connection').at(-1)).toBe('offline');
    await visitor.runtime.sendText('sent while blocked').catch(() => undefined);

    // A reload of the page: the stored conversation resumes, its outbox would flush, but the hello is refused.
    visitor.runtime.dispose();
    const reloaded = visitorRuntime(relay.origin, shop.accountId, shop.pin, visitor.storage.db);
    await reloaded.runtime.start();
    await waitFor(
      () => reloaded.events.of('alert').some((a) => a.kind === REFUSAL_KINDS.blocked),
      'blocked after reload',
    );
    const fromVisitor = agent.events.of('message').filter((m) => m.conversationId === conversationId);
    expect(fromVisitor.map((m) => (m.body.kind === 'text' ? m.body.text : m.body.kind))).toEqual(['first']);
    reloaded.runtime.dispose();

    await agent.runtime.unblockVisitor(conversationId);
    expect(await agent.runtime.blockedConversations()).toEqual([]);
    await expect(agent.runtime.unblockVisitor(conversationId)).rejects.toMatchObject({ relayCode: 'not-blocked' });
    // Another business cannot block this one's visitor.
    await expect(other.agent.runtime.blockVisitor(conversationId)).rejects.toMatchObject({ status: 403 });
  });

  it('says the business is busy (per account), then that the address opened too many, and keeps Retry-After', async () => {
    // The first test opened one of the shop's PER_ACCOUNT conversations.
    for (let i = 1; i < PER_ACCOUNT; i++) {
      const v = visitorRuntime(relay.origin, shop.accountId, shop.pin);
      await v.runtime.start();
      await v.runtime.openConversation();
      v.runtime.dispose();
    }
    const late = visitorRuntime(relay.origin, shop.accountId, shop.pin);
    await late.runtime.start();
    const refused = await late.runtime.openConversation().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RateLimitedError);
    expect(refused).toMatchObject({ relayCode: 'account-rate-limited' });
    expect((refused as RateLimitedError).retryAfterMs).toBeGreaterThan(0);
    expect(late.events.of('alert').map((a) => [a.kind, a.text])).toEqual([
      [
        REFUSAL_KINDS.busyBusiness,
        'This business is receiving many new chats right now. Please try again in a few minutes.',
      ],
    ]);
    // Within Retry-After the relay is not asked again: the same refusal, told again.
    expect(await late.runtime.openConversation().catch((e: unknown) => e)).toBe(refused);
    expect(late.events.of('alert')).toHaveLength(2);
    late.runtime.dispose();

    // This address has opened PER_ACCOUNT conversations; the other business takes the rest of its budget.
    for (let i = PER_ACCOUNT; i < PER_ADDRESS; i++) {
      const v = visitorRuntime(relay.origin, other.accountId, other.pin);
      await v.runtime.start();
      await v.runtime.openConversation();
      v.runtime.dispose();
    }
    const crowded = visitorRuntime(relay.origin, other.accountId, other.pin);
    await crowded.runtime.start();
    const byAddress = await crowded.runtime.openConversation().catch((e: unknown) => e);
    expect(byAddress).toMatchObject({ relayCode: 'rate-limited', status: 429 });
    const alert = crowded.events.of('alert').at(-1);
    expect(alert?.kind).toBe(REFUSAL_KINDS.busyAddress);
    expect(alert?.text).toMatch(
      /^Too many new chats were started from your network\. Please try again in \d+ minutes\.$/,
    );
    crowded.runtime.dispose();
  });
});
