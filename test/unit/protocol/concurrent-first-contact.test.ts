/**
 * The visitor starts its per-device sessions concurrently (conversation-start.ts) and seals
 * per-recipient key packets concurrently (conversation-send.ts). That must not change which
 * random bytes each device gets: the draws happen in list order, exactly as a one-by-one loop
 * makes them (identity, then per verified device: X3DH ephemeral EKA, then the first ratchet
 * key), so seeded runs and protocol vectors stay byte for byte the same.
 */
import { describe, expect, it } from 'vitest';
import { x25519KeyPairFromSeed } from '../../../shared/crypto/index.js';
import {
  ALERT_KINDS,
  sendMessage,
  startVisitorConversation,
  type ProtocolEnv,
} from '../../../shared/protocol/index.js';
import { idEquals } from '../../../shared/wire/index.js';
import { hashSeededEnv } from '../../support/hash-seeded-env.js';
import { relaylessWorld, deliverAll, releasedTexts } from '../../support/relayless-world.js';

function recording(env: ProtocolEnv): { env: ProtocolEnv; draws: Uint8Array[] } {
  const draws: Uint8Array[] = [];
  return {
    draws,
    env: {
      now: env.now,
      rng: (length) => {
        const bytes = env.rng(length);
        draws.push(bytes.slice());
        return bytes;
      },
    },
  };
}

async function publicKeyOf(seed: Uint8Array | undefined): Promise<Uint8Array> {
  if (seed === undefined) throw new RangeError('no such draw');
  return (await x25519KeyPairFromSeed(seed)).publicKey;
}

describe('concurrent per-device work keeps the one-by-one random order', () => {
  it('each verified device gets the EKA and ratchet key of its place in the list; a bad bundle draws nothing', async () => {
    const world = await relaylessWorld('concurrent-first-contact', 5, 1);
    const bad = world.bundles[1];
    if (bad === undefined) throw new RangeError('no bundle');
    const signature = bad.signedPrekeySignature.slice();
    signature[0] = (signature[0] ?? 0) ^ 1;
    const bundles = world.bundles.map((b, i) => (i === 1 ? { ...b, signedPrekeySignature: signature } : b));
    const { env, draws } = recording(hashSeededEnv('concurrent-visitor', world.clock.now()));
    const started = await startVisitorConversation(world.list, bundles, env);

    expect(started.alerts.map((a) => a.kind)).toEqual([ALERT_KINDS.badSignature]);
    const verified = world.list.devices.filter((_, i) => i !== 1);
    expect(started.state.sessions.map((s) => s.peerId)).toEqual(verified.map((d) => d.deviceId));
    // #9.3: the identity seed (32) first (both ids are derived from its key), then 2 x 32 per verified device.
    expect(draws.map((d) => d.length)).toEqual([32, ...verified.flatMap(() => [32, 32])]);
    expect(started.state.visitorIdentity?.publicKey).toEqual(await publicKeyOf(draws[0]));
    for (const [i, session] of started.state.sessions.entries()) {
      expect(session.firstContact?.initiatorEphemeralKey).toEqual(await publicKeyOf(draws[1 + 2 * i]));
      expect(session.ratchet.dhSelf.publicKey).toEqual(await publicKeyOf(draws[2 + 2 * i]));
    }
  });

  it('a concurrent fan-out gives one packet per device in list order, each opening on its own device', async () => {
    const world = await relaylessWorld('concurrent-fan-out', 4, 1);
    const step = await sendMessage(world.visitor.state, { kind: 'text', text: 'hello all' }, world.visitor.env);
    expect(step.outgoing.map((o) => o.recipientId)).toEqual(world.list.devices.map((d) => d.deviceId));
    for (const device of world.list.devices) {
      const session = step.state.sessions.find((s) => idEquals(s.peerId, device.deviceId));
      expect(session?.ratchet.sendN).toBe(1);
    }
    world.visitor.state = step.state;
    await deliverAll(world, step.outgoing);
    for (const agent of world.agents) {
      expect(releasedTexts(agent.shown)).toEqual(['hello all']);
      expect(agent.alerts).toEqual([]);
    }
    // A second concurrent fan-out continues every ratchet.
    const next = await sendMessage(world.visitor.state, { kind: 'text', text: 'second' }, world.visitor.env);
    await deliverAll(world, next.outgoing);
    for (const agent of world.agents) expect(releasedTexts(agent.shown)).toEqual(['hello all', 'second']);
  });
});
