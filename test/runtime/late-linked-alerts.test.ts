/**
 * THREAT-MODEL §7 (Issue #15, a late-linked device), PROTOCOL §7.6–§7.7: a device linked after a
 * conversation of several messages both ways shows the visitor's and its siblings' next messages and
 * raises neither `gap` nor `device-divergence` — their earlier frames, and the visitor messages their
 * acks name, went to lists that did not name it. Real relay process, memory stores, real timers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORDER_LIMITS } from '../../shared/protocol/index.js';
import { type RelayProcess, makeDataDir, startRelayProcess } from '../relay/support/relay-process.js';
import { type AgentHandle, agentRuntime, link, newAccount, visitorWrites, waitFor } from './support/runtime-world.js';

const shows = (agent: AgentHandle, id: string): boolean => agent.events.of('message').some((m) => m.id === id);
const falseAlarms = (agent: AgentHandle): string[] =>
  agent.events
    .of('alert')
    .map((a) => a.kind)
    .filter((kind) => kind === 'gap' || kind === 'device-divergence');

describe('#15, §7.6: a device linked later raises no false gap or device-divergence', () => {
  const data = makeDataDir();
  let relay: RelayProcess;

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir);
  }, 60_000);

  afterAll(async () => {
    await relay.stop('SIGKILL');
    data.remove();
  });

  it('#15: a device linked after six messages shows the next ones from the visitor and its siblings, with no gap and no device-divergence', async () => {
    const owner = agentRuntime();
    const pin = (await newAccount(relay.origin, owner)).fingerprint;
    const accountId = (await owner.runtime.status()).accountId ?? '';
    const sibling = await link(relay.origin, owner);

    // A conversation of several messages both ways, before the late device exists.
    const { visitor, conversationId } = await visitorWrites(relay.origin, { accountId, pin }, 'my order is late', [
      owner,
      sibling,
    ]);
    const atVisitor = (id: string) => () => visitor.events.of('message').some((m) => m.id === id);
    const a1 = await owner.runtime.sendText(conversationId, 'which order number?');
    await waitFor(atVisitor(a1), 'the first answer at the visitor');
    const q2 = await visitor.runtime.sendText('#1234');
    await waitFor(() => shows(owner, q2) && shows(sibling, q2), 'the second question at both devices');
    const a2 = await sibling.runtime.sendText(conversationId, 'it ships tomorrow');
    await waitFor(atVisitor(a2), 'the sibling’s answer at the visitor');
    const q3 = await visitor.runtime.sendText('thanks!');
    await waitFor(() => shows(owner, q3) && shows(sibling, q3), 'the thanks at both devices');
    const a3 = await owner.runtime.sendText(conversationId, 'you are welcome');
    await waitFor(atVisitor(a3), 'the third answer at the visitor');

    const late = await link(relay.origin, owner);
    // The visitor writes on the list it holds; the owner answers with the newer lists in-band (§7.6),
    // its first frame the late device gets. The visitor's next message is for the late device too.
    const q4 = await visitor.runtime.sendText('one more thing');
    await waitFor(() => shows(owner, q4), 'the fourth question at the owner');
    const a4 = await owner.runtime.sendText(conversationId, 'sure');
    await waitFor(() => shows(late, a4), 'the owner’s answer at the late device');
    const q5 = await visitor.runtime.sendText('can I change the address?');
    await waitFor(() => shows(late, q5), 'the visitor’s message at the late device');
    const a5 = await sibling.runtime.sendText(conversationId, 'yes, send it here');
    await waitFor(() => shows(late, a5), 'the sibling’s answer at the late device');

    // Past the reorder window every gap and every unmet ack claim would have been declared.
    await new Promise((resolve) => setTimeout(resolve, ORDER_LIMITS.reorderWindowMs + 2_000));
    expect(falseAlarms(late)).toEqual([]);
    for (const agent of [owner, sibling]) expect(falseAlarms(agent)).toEqual([]);
    expect(
      late.events
        .of('message')
        .filter((m) => m.conversationId === conversationId)
        .map((m) => m.id),
    ).toEqual(expect.arrayContaining([a4, q5, a5]));
    for (const a of [owner, sibling, late, visitor]) a.runtime.dispose();
  }, 120_000);

  it('#15: a device linked later that reads and types before the visitor writes to it sends those signals nowhere, so its first reply reaches the visitor with no gap', async () => {
    const owner = agentRuntime();
    const pin = (await newAccount(relay.origin, owner)).fingerprint;
    const accountId = (await owner.runtime.status()).accountId ?? '';
    const { visitor, conversationId } = await visitorWrites(relay.origin, { accountId, pin }, 'is the shop open?', [
      owner,
    ]);
    const atVisitor = (id: string) => () => visitor.events.of('message').some((m) => m.id === id);
    const late = await link(relay.origin, owner);
    const q2 = await visitor.runtime.sendText('on Sunday?');
    await waitFor(() => shows(owner, q2), 'the second question at the owner');
    const a2 = await owner.runtime.sendText(conversationId, 'let me check');
    await waitFor(() => shows(late, a2), 'the owner’s answer at the late device');
    // No session with the visitor yet (joinedLate): a read receipt and typing would be frames for the
    // siblings only, whose seqs the visitor would later miss.
    await late.runtime.markRead(conversationId, a2);
    await late.runtime.setTyping(conversationId, true);
    await late.runtime.setTyping(conversationId, false);
    const q3 = await visitor.runtime.sendText('thanks');
    await waitFor(() => shows(late, q3), 'the visitor’s message at the late device');
    const a3 = await late.runtime.sendText(conversationId, 'yes, 10 to 4');
    await waitFor(atVisitor(a3), 'the late device’s reply at the visitor');
    await new Promise((resolve) => setTimeout(resolve, ORDER_LIMITS.reorderWindowMs + 2_000));
    expect(visitor.events.of('alert').map((a) => a.kind)).toEqual([]);
    expect(falseAlarms(owner)).toEqual([]);
    for (const a of [owner, late, visitor]) a.runtime.dispose();
  }, 120_000);
});
