/**
 * Property (security brief F9, §4 "replay", "reorder", "drop"): whatever a hostile relay does
 * with a visitor's messages — drop, duplicate, reorder, delay past the reorder window — the
 * agent device never shows a message twice or out of sender order, shows every message that
 * was delivered, rejects every duplicate, and flags every dropped message as a gap once a later
 * message has arrived (and its wait is over).
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ALERT_KINDS,
  ORDER_LIMITS,
  type ReleasedMessage,
  openAgentConversation,
  receiveAsAgent,
  sendMessage,
  startVisitorConversation,
  tick,
  type AgentContext,
  type AgentStep,
  type ConversationState,
  ReplayError,
  type SecurityAlert,
  prekeyBundleOf,
} from '../../shared/protocol/index.js';
import { type RelaylessWorld, relaylessWorld } from '../support/relayless-world.js';
import { seededEnv } from '../support/seeded-env.js';

const MESSAGES = 6;

describe('property: delivery schedules', () => {
  let world: RelaylessWorld;
  beforeAll(async () => {
    world = await relaylessWorld('delivery-schedule', 1, 0);
  });

  it('F9 F15: never twice, never out of sender order, every drop flagged as a gap after a later message', async () => {
    let run = 0;
    const schedule = fc.record({
      copies: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: MESSAGES, maxLength: MESSAGES }),
      order: fc.array(fc.nat(1000), { minLength: 2 * MESSAGES, maxLength: 2 * MESSAGES }),
      waits: fc.array(fc.boolean(), { minLength: 2 * MESSAGES, maxLength: 2 * MESSAGES }),
    });
    await fc.assert(
      fc.asyncProperty(schedule, async ({ copies, order, waits }) => {
        run++;
        const agentParty = world.agents[0];
        if (agentParty === undefined) throw new Error('no agent');
        const visitorEnv = seededEnv(`visitor-${run}`, world.clock);
        const bundle = prekeyBundleOf(agentParty.prekeys);
        let visitor: ConversationState = (await startVisitorConversation(world.list, [bundle], visitorEnv)).state;
        const sent: { seq: number; text: string; bytes: Uint8Array }[] = [];
        for (let i = 0; i < MESSAGES; i++) {
          const step = await sendMessage(visitor, { kind: 'text', text: `message ${i + 1} of run ${run}` }, visitorEnv);
          visitor = step.state;
          const packet = step.outgoing[0];
          if (packet === undefined) throw new Error('no packet');
          sent.push({ seq: i + 1, text: `message ${i + 1} of run ${run}`, bytes: packet.body });
        }
        // The relay's schedule: each message 0, 1 or 2 times, in an arbitrary order.
        const deliveries = sent.flatMap((m, i) =>
          Array.from({ length: copies[i] ?? 0 }, (_, c) => ({ m, key: order[2 * i + c] ?? 0, first: c === 0 })),
        );
        deliveries.sort((a, b) => a.key - b.key);

        const context: AgentContext = { device: agentParty.keys, prekeys: agentParty.prekeys, deviceList: world.list };
        let agent: ConversationState | null = null;
        const shown: ReleasedMessage[] = [];
        const alerts: SecurityAlert[] = [];
        const delivered = new Set<number>();
        let replays = 0;
        for (const [index, d] of deliveries.entries()) {
          if (waits[index] === true) world.clock.advance(ORDER_LIMITS.reorderWindowMs + 1);
          try {
            const step: AgentStep =
              agent === null
                ? await openAgentConversation(d.m.bytes, context, agentParty.env)
                : await receiveAsAgent(agent, d.m.bytes, context, agentParty.env);
            agent = step.state;
            shown.push(...step.released);
            alerts.push(...step.alerts);
            expect(delivered.has(d.m.seq)).toBe(false);
            delivered.add(d.m.seq);
          } catch (error) {
            // Only a duplicate may be rejected, and it must be a ReplayError.
            expect(error).toBeInstanceOf(ReplayError);
            expect(delivered.has(d.m.seq)).toBe(true);
            replays++;
          }
        }
        if (agent !== null) {
          world.clock.advance(ORDER_LIMITS.reorderWindowMs + 1);
          const end = tick(agent, agentParty.env);
          agent = end.state;
          shown.push(...end.released);
          alerts.push(...end.alerts);
        }
        expect(replays).toBe(deliveries.length - delivered.size);

        // Never twice; in order (late ones apart); every delivered message shown with its text.
        const seqs = shown.map((m) => m.seq);
        expect(new Set(seqs).size).toBe(seqs.length);
        const inOrder = shown.filter((m) => !m.late).map((m) => m.seq);
        expect([...inOrder].sort((a, b) => a - b)).toEqual(inOrder);
        expect(new Set(seqs)).toEqual(delivered);
        for (const m of shown) expect(m.body).toEqual({ kind: 'text', text: sent[m.seq - 1]?.text });

        // Every drop below the highest delivered message is flagged as a gap.
        const highest = Math.max(0, ...delivered);
        const dropped = sent.map((m) => m.seq).filter((s) => !delivered.has(s) && s < highest);
        const track = agent?.tracks[0];
        for (const s of dropped) {
          expect(track?.lostRanges.some((r) => s >= r.from && s <= r.to)).toBe(true);
        }
        const gaps = alerts.filter((a) => a.kind === ALERT_KINDS.gap).length;
        if (dropped.length > 0) expect(gaps).toBeGreaterThan(0);
        const late = shown.filter((m) => m.late).length;
        if (dropped.length === 0 && late === 0) expect(gaps).toBe(0);
      }),
      { numRuns: 1000, seed: 20261127 },
    );
  }, 300_000);
});
