/**
 * The hostile relay at random (security brief §4, all delivery attacks at once; F3, F9): for any
 * schedule of sends and deliveries in which the relay drops, duplicates, holds back, reorders and
 * bit-flips envelopes, no client crashes or changes its state on a rejected packet (checked by the
 * WorldConversation harness), no message is shown twice, messages of one sender are shown in
 * sender order (late ones apart), and everything shown was really sent by the party it is
 * attributed to, and every alert names its suspects (PROTOCOL §7.8). Deterministic: fixed fast-check
 * seed, seeded rngs, manual clock.
 *
 * Each case is cheap (issue #9: at least 1,000 cases): one world's keys serve every case, and a
 * case starts from one of two restart points of one conversation — just started (first contact
 * still ahead, under the schedule's attacks) or under way (every session set up) — with the relay
 * emptied and the devices' prekey states restored. States are immutable, so a restart point is the
 * saved objects themselves.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Envelope, type DeviceId, idEquals } from '../../shared/wire/index.js';
import { expectHonestRoundTrip } from '../support/honest-traffic.js';
import { ProtocolWorld } from '../support/protocol-world.js';
import { type Party, WorldConversation } from '../support/world-conversation.js';

const RUNS = 1000;
const AGENTS = ['owner', 'ada-laptop', 'ada-phone'] as const;

type Mutation = { readonly kind: 'pass' | 'drop' | 'dup' | 'hold' } | { readonly kind: 'flip'; readonly at: number };
type Action =
  | { readonly kind: 'visitorSend' }
  | { readonly kind: 'agentSend'; readonly who: number }
  | { readonly kind: 'deliver'; readonly to: number; readonly reverse: boolean }
  | { readonly kind: 'advance' };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 10, arbitrary: fc.constant({ kind: 'pass' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'drop' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'dup' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'hold' as const }) },
  { weight: 1, arbitrary: fc.nat().map((at) => ({ kind: 'flip' as const, at })) },
);

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: 'visitorSend' as const }) },
  { weight: 2, arbitrary: fc.nat({ max: 2 }).map((who) => ({ kind: 'agentSend' as const, who })) },
  {
    weight: 4,
    arbitrary: fc
      .record({ to: fc.nat({ max: 3 }), reverse: fc.boolean() })
      .map((r) => ({ kind: 'deliver' as const, ...r })),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'advance' as const }) },
);

function mutate(e: Envelope, m: Mutation, hold: (e: Envelope) => void): readonly Envelope[] {
  switch (m.kind) {
    case 'pass':
      return [e];
    case 'drop':
      return [];
    case 'dup':
      return [e, e];
    case 'hold':
      hold(e);
      return [];
    case 'flip': {
      const body = new Uint8Array(e.body);
      const bit = m.at % (body.length * 8);
      body[bit >> 3] = (body[bit >> 3] ?? 0) ^ (1 << (bit & 7));
      return [{ ...e, body: body as Envelope['body'] }];
    }
  }
}

function checkParty(party: Party, sentBy: ReadonlyMap<string, DeviceId>): void {
  const texts = party.shown.flatMap((m) => (m.body.kind === 'text' ? [m.body.text] : []));
  expect(new Set(texts).size, `${party.name} showed a message twice`).toBe(texts.length);
  for (const m of party.shown) {
    if (m.body.kind !== 'text') continue;
    const sender = sentBy.get(m.body.text);
    expect(sender, `${party.name} showed text nobody sent`).toBeDefined();
    if (sender !== undefined)
      expect(idEquals(sender, m.sender), `${party.name} attributed a message to the wrong sender`).toBe(true);
  }
  // S2: every alert names who could have caused it.
  for (const alert of party.alerts)
    expect(alert.suspects.length, `${party.name}: ${alert.kind} names no suspect`).toBeGreaterThan(0);
  const lastSeq = new Map<string, number>();
  for (const m of party.shown.filter((x) => !x.late)) {
    const key = Array.from(m.sender).join(',');
    expect(m.seq, `${party.name} showed a message out of sender order`).toBeGreaterThan(lastSeq.get(key) ?? 0);
    lastSeq.set(key, m.seq);
  }
}

describe('the hostile relay at random', () => {
  let world: ProtocolWorld;
  let restart: { readonly fresh: () => WorldConversation; readonly underWay: () => WorldConversation };
  beforeAll(async () => {
    world = await ProtocolWorld.create('schedule');
    const convo = await WorldConversation.start(world, 'visitor');
    const fresh = convo.checkpoint();
    await expectHonestRoundTrip(convo, 'under-way');
    await convo.agentSends('owner', 'the owner joins in');
    await convo.deliverAll();
    restart = { fresh, underWay: convo.checkpoint() };
  });

  it(`F9: any schedule of drops, duplicates, delays, reorders and bit flips never shows a message twice, out of order or from the wrong sender (${RUNS} runs)`, async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        fc.array(mutation, { minLength: 1, maxLength: 24 }),
        fc.array(action, { minLength: 4, maxLength: 14 }),
        async (underWay, mutations, actions) => {
          run++;
          world.relay.reset();
          const convo = underWay ? restart.underWay() : restart.fresh();
          let next = 0;
          world.relay.envelopeHook = (e) =>
            mutate(e, mutations[next++ % mutations.length] ?? { kind: 'pass' }, (h) => {
              world.relay.hold(h);
            });
          const sentBy = new Map<string, DeviceId>();
          let counter = 0;
          for (const a of actions) {
            if (a.kind === 'visitorSend') {
              const text = `v${run}.${++counter}`;
              await convo.visitorSends(text);
              if (convo.visitor.state !== undefined) sentBy.set(text, convo.visitor.state.selfId);
            } else if (a.kind === 'agentSend') {
              const who = AGENTS[a.who] ?? 'owner';
              if (convo.agent(who).state === undefined) continue; // has not heard of the conversation yet
              const text = `a${run}.${++counter}`;
              await convo.agentSends(who, text);
              sentBy.set(text, world.device(who).keys.deviceId);
            } else if (a.kind === 'deliver') {
              world.relay.releaseHeld();
              if (a.to === 3) {
                if (a.reverse) world.relay.reorder(convo.conversationId, { kind: 'visitor' }, (q) => [...q].reverse());
                await convo.deliverToVisitor();
              } else {
                const who = AGENTS[a.to] ?? 'owner';
                const recipient = { kind: 'device' as const, deviceId: world.device(who).keys.deviceId };
                if (a.reverse) world.relay.reorder(convo.conversationId, recipient, (q) => [...q].reverse());
                await convo.deliverToAgent(who);
              }
            } else {
              world.clock.advance(6000);
              for (const p of [convo.visitor, ...convo.agents.values()]) if (p.state !== undefined) convo.tick(p);
            }
          }
          for (const p of [convo.visitor, ...convo.agents.values()]) checkParty(p, sentBy);
        },
      ),
      { numRuns: RUNS, seed: 20261127, endOnFailure: true },
    );
    expect(run).toBeGreaterThanOrEqual(RUNS);
  }, 300_000);
});
