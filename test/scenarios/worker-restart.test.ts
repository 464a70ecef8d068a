/**
 * Story: the agent's MV3 service worker (and the visitor's tab) is killed between any two steps.
 * Every participant saves its state after each transition and before it sends or shows; on
 * restart the state is read back (structuredClone, as IndexedDB does) and the conversation goes
 * on. No ratchet position (and so no message key or IV) is ever used twice, no message is shown
 * twice, and nothing is lost.
 */
import { describe, expect, it } from 'vitest';
import { toHex } from '../../shared/crypto/index.js';
import { decode } from '../../shared/wire/index.js';
import { conversationPacketCodec, type OutgoingPacket } from '../../shared/protocol/index.js';
import {
  agentSends,
  type RelaylessWorld,
  relaylessWorld,
  deliver,
  releasedTexts,
  visitorSends,
} from '../support/relayless-world.js';

/** What a restart does to every participant: its saved state is read back as a structured clone. */
function restartEveryone(world: RelaylessWorld): void {
  world.visitor.state = structuredClone(world.visitor.state);
  for (const agent of world.agents) {
    agent.state = agent.state === null ? null : structuredClone(agent.state);
    agent.prekeys = structuredClone(agent.prekeys);
  }
}

describe('scenario: service worker restart mid-conversation', () => {
  it('F8 F15: states restored between every step continue the conversation with no key or nonce reuse', async () => {
    const world = await relaylessWorld('worker-restart', 2);
    const [laptop, phone] = world.agents;
    if (laptop === undefined || phone === undefined) throw new Error('two devices expected');
    const positions = new Set<string>();
    const bodies = new Set<string>(); // distinct message bodies
    let packets = 0;
    const record = (outgoing: readonly OutgoingPacket[]): readonly OutgoingPacket[] => {
      for (const p of outgoing) {
        const packet = decode(conversationPacketCodec, p.body);
        const h = packet.session.message.header;
        // One ratchet position per (session, chain key, n): a repeat would reuse a message key and IV.
        positions.add(`${toHex(packet.session.sessionId)}/${toHex(h.dh)}/${h.n}`);
        bodies.add(toHex(packet.body.subarray(0, 64)));
        packets++;
      }
      return outgoing;
    };
    const run = async (outgoing: readonly OutgoingPacket[]): Promise<void> => {
      for (const p of record(outgoing)) {
        restartEveryone(world);
        await deliver(world, p);
      }
      restartEveryone(world);
    };

    await run(await visitorSends(world, { kind: 'text', text: 'v1' }));
    await run(await agentSends(world, laptop, { kind: 'text', text: 'a1' }));
    await run(await visitorSends(world, { kind: 'text', text: 'v2' }));
    await run(await agentSends(world, phone, { kind: 'text', text: 'a2' }));
    await run(await visitorSends(world, { kind: 'text', text: 'v3' }));
    await run(await agentSends(world, laptop, { kind: 'text', text: 'a3' }));
    await run(await visitorSends(world, { kind: 'close', reason: 'bye' }));

    expect(releasedTexts(world.visitor.shown)).toEqual(['a1', 'a2', 'a3']);
    expect(releasedTexts(laptop.shown)).toEqual(['v1', 'v2', 'a2', 'v3', '<close>']);
    expect(releasedTexts(phone.shown)).toEqual(['v1', 'a1', 'v2', 'v3', 'a3', '<close>']);
    expect(positions.size).toBe(packets);
    // Each message body is encrypted once (one body for all its recipients) under its own content key.
    expect(packets).toBe(14);
    expect(bodies.size).toBe(7);
    for (const party of [world.visitor, laptop, phone]) expect(party.alerts).toEqual([]);
    // Restored keys are still non-extractable CryptoKeys.
    expect(world.visitor.state.visitorIdentity?.privateKey.extractable).toBe(false);
  });
});
