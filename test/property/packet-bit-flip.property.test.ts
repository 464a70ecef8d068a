/**
 * Property (security brief §4, docs/ARCHITECTURE.md tests §3): any single-bit flip anywhere in a
 * conversation packet — version, ids, session packet, first-contact header, ratchet header,
 * signature, body — is refused with a typed SealdeskError, never a crash or a TypeError, and the
 * receiver's conversation and prekey state stay exactly as they were.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { SealdeskError } from '../../shared/errors/index.js';
import { receiveAsAgent, receiveMessage, type OutgoingPacket } from '../../shared/protocol/index.js';
import { snapshot } from '../support/state-snapshot.js';
import {
  type AgentParty,
  type RelaylessWorld,
  agentSends,
  relaylessWorld,
  deliverAll,
  visitorSends,
} from '../support/relayless-world.js';

describe('property: single-bit flips in packets', () => {
  let world: RelaylessWorld;
  let agent: AgentParty;
  let toAgent: OutgoingPacket;
  let toVisitor: OutgoingPacket;
  beforeAll(async () => {
    world = await relaylessWorld('bit-flip', 1);
    const first = world.agents[0];
    if (first === undefined) throw new Error('no agent');
    agent = first;
    await deliverAll(world, await visitorSends(world, { kind: 'text', text: 'hello' }));
    const packet = (await visitorSends(world, { kind: 'text', text: 'second message, still a first contact' }))[0];
    const reply = (await agentSends(world, agent, { kind: 'text', text: 'signed first reply' })).find(
      (p) => p.recipient.kind === 'visitor',
    );
    if (packet === undefined || reply === undefined) throw new Error('no packets');
    toAgent = packet;
    toVisitor = reply;
  });

  it('every flipped bit is a typed error and leaves the state unchanged (agent and visitor side)', async () => {
    const agentBefore = snapshot([agent.state, agent.prekeys]);
    const visitorBefore = snapshot(world.visitor.state);
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.nat(), fc.integer({ min: 0, max: 7 }), async (visitorSide, at, bit) => {
        const original = visitorSide ? toVisitor.body : toAgent.body;
        const flipped = new Uint8Array(original);
        const index = at % flipped.length;
        flipped[index] = (flipped[index] ?? 0) ^ (1 << bit);
        const state = agent.state;
        if (state === null) throw new Error('no agent state');
        const action = visitorSide
          ? receiveMessage(world.visitor.state, flipped, world.visitor.env)
          : receiveAsAgent(
              state,
              flipped,
              { device: agent.keys, prekeys: agent.prekeys, deviceList: world.list },
              agent.env,
            );
        const error: unknown = await action.then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(SealdeskError);
        expect(snapshot([agent.state, agent.prekeys])).toBe(agentBefore);
        expect(snapshot(world.visitor.state)).toBe(visitorBefore);
      }),
      { numRuns: 1000, seed: 7 },
    );
  }, 120_000);
});
