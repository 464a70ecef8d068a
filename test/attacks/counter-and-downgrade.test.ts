/**
 * Security brief §4 "absurd skip counter (rejected, no memory blow-up)" and "version downgrade"
 * (F9, F21). The ratchet header travels in the clear, so the relay can rewrite its counters and
 * its version/suite bytes. Both are covered by the AEAD associated data; the counters are also
 * checked against the skipped-key budget BEFORE any key is derived (Double Ratchet §3.5
 * MAX_SKIP), and a version or suite older than the session's is a downgrade.
 */
import { describe, expect, it } from 'vitest';
import { DecodeError, LimitError } from '../../shared/errors/index.js';
import { ALERT_KINDS, DowngradeError, RATCHET_LIMITS } from '../../shared/protocol/index.js';
import { MAX_U32, type Envelope } from '../../shared/wire/index.js';
import { x25519KeyPairFromSeed } from '../../shared/crypto/index.js';
import { interceptNext, rewritePacket, rewriteRatchetHeader, toDevice, toVisitor } from '../support/attacker.js';
import { expectHonestRoundTrip } from '../support/honest-traffic.js';
import { ProtocolWorld } from '../support/protocol-world.js';
import { alertKinds, texts, WorldConversation } from '../support/world-conversation.js';

/** Two round trips: both sides have ratcheted, so packets are plain ratchet messages (no first-reply signature). */
async function established(seed: string): Promise<{ world: ProtocolWorld; convo: WorldConversation }> {
  const world = await ProtocolWorld.create(seed);
  const convo = await WorldConversation.start(world, 'visitor');
  await expectHonestRoundTrip(convo, 'setup-1');
  await expectHonestRoundTrip(convo, 'setup-2');
  return { world, convo };
}

/** The relay stops attacking and delivers the genuine (recorded) last packet for that mailbox. */
function deliverGenuine(world: ProtocolWorld, match: (e: Envelope) => boolean): void {
  world.relay.envelopeHook = undefined;
  const genuine = world.relay.recorded.filter((r) => match(r.envelope)).at(-1);
  if (genuine === undefined) throw new RangeError('nothing recorded');
  world.relay.inject(genuine.bytes);
}

describe('attack: absurd skip counter (security brief §4)', () => {
  it('F9: a message number rewritten to 2^32-1 is rejected with an absurd-skip alert, at once and without storing keys', async () => {
    const { world, convo } = await established('absurd-skip');
    interceptNext(world.relay, toVisitor, (e) => [
      rewritePacket(e, (p) => rewriteRatchetHeader(p, (h) => ({ ...h, n: MAX_U32 }))),
    ]);
    await convo.agentSends('ada-laptop', 'hello');
    const skippedBefore = convo.visitor.state?.sessions.map((s) => s.ratchet.skipped.length);
    // 2^32 HKDF steps would never finish; the refusal is a counter comparison before any key is derived.
    const outcomes = await convo.deliverToVisitor();
    expect(outcomes.map((o) => o.ok)).toEqual([false]);
    expect(convo.visitor.errors[0]).toBeInstanceOf(LimitError);
    expect(alertKinds(convo.visitor)).toEqual([ALERT_KINDS.absurdSkip]);
    expect(convo.visitor.state?.sessions.map((s) => s.ratchet.skipped.length)).toEqual(skippedBefore);
    deliverGenuine(world, toVisitor);
    await convo.deliverToVisitor();
    expect(texts(convo.visitor)).toContain('hello');
    await expectHonestRoundTrip(convo, 'after-absurd-skip');
  });

  it('F9: a new ratchet key with an absurd previous-chain length (pn) is rejected with an absurd-skip alert', async () => {
    const { world, convo } = await established('absurd-pn');
    const relayDh = (await x25519KeyPairFromSeed(world.newEnv('attacker').rng(32))).publicKey;
    const laptop = world.device('ada-laptop').keys.deviceId;
    interceptNext(world.relay, toDevice(laptop), (e) => [
      rewritePacket(e, (p) => rewriteRatchetHeader(p, (h) => ({ ...h, dh: relayDh, pn: MAX_U32 }))),
    ]);
    await convo.visitorSends('hello');
    await convo.deliverToAgent('ada-laptop');
    expect(convo.agent('ada-laptop').errors[0]).toBeInstanceOf(LimitError);
    expect(alertKinds(convo.agent('ada-laptop'))).toEqual([ALERT_KINDS.absurdSkip]);
    expect(texts(convo.agent('ada-laptop'))).not.toContain('hello');
    deliverGenuine(world, toDevice(laptop));
    await convo.deliverToAgent('ada-laptop');
    expect(texts(convo.agent('ada-laptop'))).toContain('hello');
    await expectHonestRoundTrip(convo, 'after-absurd-pn');
  });

  it('F9: a jump one past the skip budget (MAX_SKIP) is rejected with an absurd-skip alert', async () => {
    const { world, convo } = await established('skip-budget');
    interceptNext(world.relay, toVisitor, (e) => [
      rewritePacket(e, (p) => rewriteRatchetHeader(p, (h) => ({ ...h, n: h.n + RATCHET_LIMITS.maxSkip + 1 }))),
    ]);
    await convo.agentSends('ada-laptop', 'over budget');
    await convo.deliverToVisitor();
    expect(convo.visitor.errors[0]).toBeInstanceOf(LimitError);
    expect(alertKinds(convo.visitor)).toEqual([ALERT_KINDS.absurdSkip]);
    deliverGenuine(world, toVisitor);
    await convo.deliverToVisitor();
    expect(texts(convo.visitor)).toContain('over budget');
    await expectHonestRoundTrip(convo, 'after-budget');
  });
});

describe('attack: version downgrade (security brief §4)', () => {
  it('F21: a message rewritten to an older protocol version (0) is refused with a downgrade alert', async () => {
    const { world, convo } = await established('downgrade-version');
    interceptNext(world.relay, toVisitor, (e) => [
      rewritePacket(e, (p) => rewriteRatchetHeader(p, (h) => ({ ...h, version: 0 }))),
    ]);
    await convo.agentSends('ada-laptop', 'downgraded');
    await convo.deliverToVisitor();
    expect(convo.visitor.errors[0]).toBeInstanceOf(DowngradeError);
    expect(alertKinds(convo.visitor)).toEqual([ALERT_KINDS.downgrade]);
    expect(texts(convo.visitor)).not.toContain('downgraded');
    deliverGenuine(world, toVisitor);
    await convo.deliverToVisitor();
    expect(texts(convo.visitor)).toContain('downgraded');
    await expectHonestRoundTrip(convo, 'after-downgrade');
  });

  it('F21: a message rewritten to an older suite (0) is refused with a downgrade alert', async () => {
    const { world, convo } = await established('downgrade-suite');
    const laptop = world.device('ada-laptop').keys.deviceId;
    interceptNext(world.relay, toDevice(laptop), (e) => [
      rewritePacket(e, (p) => rewriteRatchetHeader(p, (h) => ({ ...h, suite: 0 }))),
    ]);
    await convo.visitorSends('downgraded');
    await convo.deliverToAgent('ada-laptop');
    expect(convo.agent('ada-laptop').errors[0]).toBeInstanceOf(DowngradeError);
    expect(alertKinds(convo.agent('ada-laptop'))).toEqual([ALERT_KINDS.downgrade]);
    deliverGenuine(world, toDevice(laptop));
    await convo.deliverToAgent('ada-laptop');
    expect(texts(convo.agent('ada-laptop'))).toContain('downgraded');
    await expectHonestRoundTrip(convo, 'after-suite-downgrade');
  });

  it('F21: an unknown (newer) version in the packet prefix is refused with a typed decode error (forged alert)', async () => {
    const { world, convo } = await established('unknown-version');
    interceptNext(world.relay, toVisitor, (e) => {
      const body = new Uint8Array(e.body);
      body[0] = 3; // the packet's own version byte (PROTOCOL §15)
      return [{ ...e, body: body as typeof e.body }];
    });
    await convo.agentSends('ada-laptop', 'from the future');
    await convo.deliverToVisitor();
    expect(convo.visitor.errors[0]).toBeInstanceOf(DecodeError);
    expect(alertKinds(convo.visitor)).toEqual([ALERT_KINDS.forged]);
    deliverGenuine(world, toVisitor);
    await convo.deliverToVisitor();
    expect(texts(convo.visitor)).toContain('from the future');
    await expectHonestRoundTrip(convo, 'after-unknown-version');
  });
});
