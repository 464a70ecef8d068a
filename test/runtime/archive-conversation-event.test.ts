/**
 * #11 (runtime API), PROTOCOL §9.6: when history records bring a conversation a device holds no
 * record of (it happened before the device was linked), the agent runtime emits a `conversation`
 * event with its summary as soon as the archive sync that read them ends, so an inbox adds it
 * without waiting for its next `conversations()` listing. Real relay process, memory stores.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotStartedError } from '../../shared/runtime/index.js';
import { type RelayProcess, makeDataDir, startRelayProcess } from '../relay/support/relay-process.js';
import { agentRuntime, link, newAccount, visitorWrites, waitFor } from './support/runtime-world.js';

/** An owner device on a new account, and a visitor whose question reached it. */
async function ownerAsked(origin: string) {
  const owner = agentRuntime();
  const pin = (await newAccount(origin, owner)).fingerprint;
  const accountId = (await owner.runtime.status()).accountId ?? '';
  return { owner, ...(await visitorWrites(origin, { accountId, pin }, 'is the shop open today?', [owner])) };
}

describe('#11, §9.6: a conversation read from the archive is announced', () => {
  const data = makeDataDir();
  let relay: RelayProcess;

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir);
  }, 60_000);

  afterAll(async () => {
    await relay.stop('SIGKILL');
    data.remove();
  });

  it('§9.6: a device linked later gets a `conversation` event for the earlier conversation, once', async () => {
    const { owner, visitor, conversationId } = await ownerAsked(relay.origin);
    visitor.runtime.dispose();

    const second = await link(relay.origin, owner);
    const announced = () => second.events.of('conversation').filter((c) => c.conversationId === conversationId);
    // Listing starts a sync in the background; the event comes from that sync, not from a listing.
    await waitFor(
      async () => {
        await second.runtime.conversations();
        return announced().length > 0;
      },
      'a conversation event for the archived conversation',
      30_000,
    );
    expect(announced()[0]?.preview).toBe('is the shop open today?');
    expect(announced()[0]?.unread).toBe(0);
    // It holds the history only: no session with the visitor, so the apps keep replies for later.
    expect(announced()[0]?.joinedLate).toBe(true);
    // Further syncs do not announce it again.
    await second.runtime.conversations();
    await waitFor(async () => (await second.runtime.conversations()).length === 1, 'listed');
    expect(announced()).toHaveLength(1);
    for (const a of [owner, second]) a.runtime.dispose();
  }, 90_000);

  it('§9.6: the late device’s own record of the conversation holds no message yet: its summary previews the newest archived one', async () => {
    const { owner, visitor, conversationId } = await ownerAsked(relay.origin);
    const answered = await owner.runtime.sendText(conversationId, 'yes, until six');
    await waitFor(() => visitor.events.of('message').some((m) => m.id === answered), 'the answer at the visitor');
    const newest = owner.events.of('message').find((m) => m.id === answered);

    const second = await link(relay.origin, owner);
    const summary = async () => (await second.runtime.conversations()).find((c) => c.conversationId === conversationId);
    await waitFor(async () => (await summary())?.preview === 'yes, until six', 'the archived conversation listed');
    // The visitor writes again on the list it holds (§7.6): the owner answers with the newer list
    // in-band, a message its new sibling gets too. The second device now keeps a record of the
    // conversation, with that list in it and no message shown (the visitor's frame is not for it).
    const told = () => second.events.of('conversation').filter((c) => c.conversationId === conversationId).length;
    await waitFor(() => told() > 0, 'the archived conversation announced');
    const announcedOnce = told();
    const again = await visitor.runtime.sendText('and tomorrow?');
    await waitFor(() => owner.events.of('message').some((m) => m.id === again), 'the second question at the owner');
    await waitFor(() => told() > announcedOnce, 'the second device’s own record of the conversation');
    expect(second.events.of('message').filter((m) => m.conversationId === conversationId)).toEqual([]);

    const event = second.events
      .of('conversation')
      .filter((c) => c.conversationId === conversationId)
      .at(-1);
    const listed = await summary();
    for (const shown of [event, listed]) {
      expect(shown?.preview).toBe('yes, until six');
      expect(shown?.lastActivity).toBe(newest?.receivedAt);
    }
    // That record has no session with the visitor: still joinedLate, and a reply is refused rather
    // than sent to the siblings only (the visitor would never get it, and nobody would know).
    expect(listed?.joinedLate).toBe(true);
    await expect(second.runtime.sendText(conversationId, 'late reply')).rejects.toBeInstanceOf(NotStartedError);
    await second.runtime.addNote(conversationId, 'notes still work');
    // Once the visitor writes on the list that names the second device, it can answer.
    const third = await visitor.runtime.sendText('and on Sunday?');
    await waitFor(
      () => second.events.of('message').some((m) => m.id === third),
      'the visitor’s message at the late device',
    );
    expect((await summary())?.joinedLate).toBeUndefined();
    const reply = await second.runtime.sendText(conversationId, 'closed on Sundays');
    await waitFor(
      () => visitor.events.of('message').some((m) => m.body.kind === 'text' && m.body.text === 'closed on Sundays'),
      'the late device’s reply at the visitor',
    );
    // The owner takes its copy on its own connection: it may come after the visitor's.
    await waitFor(() => owner.events.of('message').some((m) => m.id === reply), 'the late device’s reply at the owner');
    for (const a of [owner, second, visitor]) a.runtime.dispose();
  }, 90_000);
});
