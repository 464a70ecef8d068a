/**
 * First contact (X3DH), the Double Ratchet and the conversation layer on the engine's own
 * WebCrypto: the same cases run in Node and in real Chromium (test/cases/all-suites.ts). Uses the
 * seeded world of test/support/relayless-world.ts (no Node built-ins).
 */
import { x25519KeyPairFromSeed } from '../../../shared/crypto/index.js';
import { DecryptError } from '../../../shared/errors/index.js';
import { decode, encode } from '../../../shared/wire/index.js';
import { conversationPacketCodec, ReplayError, receiveMessage } from '../../../shared/protocol/index.js';
import { ratchetDecrypt, ratchetEncrypt } from '../../../shared/protocol/session/ratchet.js';
import { initRatchetInitiator, initRatchetResponder } from '../../../shared/protocol/session/ratchet-state.js';
import { manualClock, seededEnv } from '../../support/seeded-env.js';
import { agentSends, relaylessWorld, deliverAll, releasedTexts, visitorSends } from '../../support/relayless-world.js';
import { assertEqual, assertRejects, assertTrue } from '../assert.js';
import type { PortableSuite } from '../portable-case.js';

const utf8 = new TextEncoder();
const decodeText = (b: Uint8Array): string => new TextDecoder().decode(b);

export const sessionsSuite: PortableSuite = {
  name: 'protocol: first contact, ratchet, conversation',
  cases: [
    {
      name: 'F8: ratchet round trip, out of order, and replay rejected',
      run: async () => {
        const clock = manualClock();
        const envA = seededEnv('portable/a', clock);
        const envB = seededEnv('portable/b', clock);
        const sk = envA.rng(32);
        const spk = await x25519KeyPairFromSeed(envB.rng(32));
        let alice = await initRatchetInitiator(sk, utf8.encode('ad'), spk.publicKey, envA);
        let bob = initRatchetResponder(sk, utf8.encode('ad'), spk);
        const m0 = await ratchetEncrypt(alice, utf8.encode('zero'));
        alice = m0.state;
        const m1 = await ratchetEncrypt(alice, utf8.encode('one'));
        const r1 = await ratchetDecrypt(bob, m1.message, envB);
        bob = r1.state;
        const r0 = await ratchetDecrypt(bob, m0.message, envB);
        assertEqual(decodeText(r1.plaintext) + decodeText(r0.plaintext), 'onezero', 'plaintexts');
        await assertRejects(() => ratchetDecrypt(r0.state, m0.message, envB), ReplayError, 'replayed message');
      },
    },
    {
      name: 'F3 F7: a visitor and two agent devices converse; every device sees the history',
      run: async () => {
        const world = await relaylessWorld('portable-conversation', 2);
        const [laptop, phone] = world.agents;
        if (laptop === undefined || phone === undefined) throw new Error('two devices expected');
        await deliverAll(world, await visitorSends(world, { kind: 'text', text: 'hello' }));
        await deliverAll(world, await agentSends(world, laptop, { kind: 'text', text: 'hi, how can I help?' }));
        await deliverAll(world, await visitorSends(world, { kind: 'text', text: 'my order' }));
        assertEqual(releasedTexts(world.visitor.shown).join('|'), 'hi, how can I help?', 'visitor view');
        assertEqual(releasedTexts(phone.shown).join('|'), 'hello|hi, how can I help?|my order', 'phone view');
        assertEqual(releasedTexts(laptop.shown).join('|'), 'hello|my order', 'laptop view');
        assertTrue(world.visitor.alerts.length === 0 && phone.alerts.length === 0, 'no alerts');
      },
    },
    {
      name: 'F3: a tampered reply body is a DecryptError',
      run: async () => {
        const world = await relaylessWorld('portable-tamper', 1);
        const agent = world.agents[0];
        if (agent === undefined) throw new Error('no agent');
        await deliverAll(world, await visitorSends(world, { kind: 'text', text: 'hello' }));
        const reply = (await agentSends(world, agent, { kind: 'text', text: 'hi' })).find(
          (p) => p.recipient.kind === 'visitor',
        );
        if (reply === undefined) throw new Error('no reply');
        const packet = decode(conversationPacketCodec, reply.body);
        const body = new Uint8Array(packet.body);
        body[0] = (body[0] ?? 0) ^ 1;
        const tampered = encode(conversationPacketCodec, { ...packet, body });
        await assertRejects(
          () => receiveMessage(world.visitor.state, tampered, world.visitor.env),
          DecryptError,
          'tampered body',
        );
      },
    },
  ],
};
