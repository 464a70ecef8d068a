/**
 * Double Ratchet (Signal spec §3): round trips, out-of-order delivery, skipped-key cap and
 * expiry, replay, tampering and version checks. Every rejection must be a typed error and must
 * leave the state exactly as it was (security brief §4).
 */
import { describe, expect, it } from 'vitest';
import { x25519KeyPairFromSeed } from '../../../shared/crypto/x25519.js';
import { DecodeError, DecryptError, InvalidKeyError, LimitError } from '../../../shared/errors/index.js';
import { decode, encode } from '../../../shared/wire/codec.js';
import type { ProtocolEnv } from '../../../shared/protocol/env.js';
import { DowngradeError, ProtocolStateError, ReplayError } from '../../../shared/protocol/errors.js';
import { ratchetDecrypt, ratchetEncrypt } from '../../../shared/protocol/ratchet.js';
import { type RatchetMessage, ratchetMessageCodec } from '../../../shared/protocol/ratchet-codec.js';
import { RATCHET_LIMITS } from '../../../shared/protocol/ratchet-limits.js';
import {
  initRatchetInitiator,
  initRatchetResponder,
  type RatchetState,
} from '../../../shared/protocol/ratchet-state.js';
import { manualClock, seededEnv } from '../../support/seeded-env.js';
import { snapshot } from '../../support/state-snapshot.js';

const utf8 = new TextEncoder();
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

async function pair(seed: string): Promise<{
  alice: RatchetState;
  bob: RatchetState;
  envA: ProtocolEnv;
  envB: ProtocolEnv;
  clock: ReturnType<typeof manualClock>;
}> {
  const clock = manualClock();
  const envA = seededEnv(`${seed}/a`, clock);
  const envB = seededEnv(`${seed}/b`, clock);
  const sk = envA.rng(32);
  const ad = utf8.encode('test associated data');
  const spk = await x25519KeyPairFromSeed(envB.rng(32));
  return {
    alice: await initRatchetInitiator(sk, ad, spk.publicKey, envA),
    bob: initRatchetResponder(sk, ad, spk),
    envA,
    envB,
    clock,
  };
}

async function send(state: RatchetState, message: string): Promise<{ state: RatchetState; message: RatchetMessage }> {
  return ratchetEncrypt(state, utf8.encode(message));
}

/** Requires `action` to throw `errorClass` and the state to be unchanged afterwards. */
async function rejects(
  state: RatchetState,
  action: () => Promise<unknown>,
  errorClass: new (...args: never[]) => Error,
): Promise<void> {
  const before = snapshot(state);
  await expect(action()).rejects.toBeInstanceOf(errorClass);
  expect(snapshot(state)).toBe(before);
}

function withHeader(message: RatchetMessage, change: Partial<RatchetMessage['header']>): RatchetMessage {
  return { ...message, header: { ...message.header, ...change } };
}

describe('Double Ratchet', () => {
  it('F7 F8: round trips both ways with a DH ratchet step on each turn', async () => {
    const w = await pair('round-trip');
    let alice = w.alice;
    let bob = w.bob;
    const envA = w.envA;
    const envB = w.envB;
    const m1 = await send(alice, 'hello bob');
    alice = m1.state;
    const r1 = await ratchetDecrypt(bob, m1.message, envB);
    bob = r1.state;
    expect(text(r1.plaintext)).toBe('hello bob');
    const m2 = await send(bob, 'hello alice');
    bob = m2.state;
    expect(m2.message.header.dh).not.toEqual(m1.message.header.dh);
    const r2 = await ratchetDecrypt(alice, m2.message, envA);
    alice = r2.state;
    expect(text(r2.plaintext)).toBe('hello alice');
    expect(alice.peerConfirmed).toBe(true);
    const m3 = await send(alice, 'again');
    const r3 = await ratchetDecrypt(bob, m3.message, envB);
    expect(text(r3.plaintext)).toBe('again');
    expect(r3.state.peerConfirmed).toBe(true);
  });

  it('F15: every message of a chain uses a different key and IV (ciphertexts of equal plaintexts differ)', async () => {
    const w = await pair('distinct');
    let alice = w.alice;
    const seen = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const m = await send(alice, 'same text');
      alice = m.state;
      seen.add(Buffer.from(m.message.ciphertext).toString('hex'));
    }
    expect(seen.size).toBe(5);
  });

  it('F9: out-of-order messages decrypt once each, with skipped keys deleted after use', async () => {
    const w = await pair('out-of-order');
    let alice = w.alice;
    let bob = w.bob;
    const envB = w.envB;
    const messages: RatchetMessage[] = [];
    for (const t of ['m0', 'm1', 'm2', 'm3']) {
      const m = await send(alice, t);
      alice = m.state;
      messages.push(m.message);
    }
    const order = [3, 0, 2, 1];
    const got: string[] = [];
    for (const i of order) {
      const message = messages[i];
      if (message === undefined) throw new Error('missing');
      const r = await ratchetDecrypt(bob, message, envB);
      bob = r.state;
      got.push(text(r.plaintext));
    }
    expect(got).toEqual(['m3', 'm0', 'm2', 'm1']);
    expect(bob.skipped).toHaveLength(0);
  });

  it('F9: messages from an earlier chain still open after the peer ratcheted', async () => {
    const w = await pair('old-chain');
    let alice = w.alice;
    let bob = w.bob;
    const envA = w.envA;
    const envB = w.envB;
    const a0 = await send(alice, 'a0');
    alice = a0.state;
    const a1 = await send(alice, 'a1');
    alice = a1.state;
    bob = (await ratchetDecrypt(bob, a0.message, envB)).state;
    const b0 = await send(bob, 'b0');
    bob = b0.state;
    alice = (await ratchetDecrypt(alice, b0.message, envA)).state;
    const a2 = await send(alice, 'a2'); // new chain
    const r2 = await ratchetDecrypt(bob, a2.message, envB);
    bob = r2.state;
    expect(text(r2.plaintext)).toBe('a2');
    const r1 = await ratchetDecrypt(bob, a1.message, envB); // late, from the old chain
    expect(text(r1.plaintext)).toBe('a1');
    await rejects(r1.state, () => ratchetDecrypt(r1.state, a1.message, envB), ReplayError);
  });

  it('F9: a replayed message is a ReplayError and leaves the state unchanged', async () => {
    const { alice, bob, envB } = await pair('replay');
    const m = await send(alice, 'refund approved');
    const r = await ratchetDecrypt(bob, m.message, envB);
    await rejects(r.state, () => ratchetDecrypt(r.state, m.message, envB), ReplayError);
  });

  it('absurd skip: a counter jump past MAX_SKIP is a LimitError, state unchanged, nothing allocated', async () => {
    const w = await pair('absurd');
    let alice = w.alice;
    let bob = w.bob;
    const envB = w.envB;
    const m0 = await send(alice, 'first');
    alice = m0.state;
    bob = (await ratchetDecrypt(bob, m0.message, envB)).state;
    const m1 = await send(alice, 'second');
    const far = withHeader(m1.message, { n: RATCHET_LIMITS.maxSkip + 5 });
    await rejects(bob, () => ratchetDecrypt(bob, far, envB), LimitError);
    const huge = withHeader(m1.message, { n: 0xffff_fffe });
    const started = performance.now();
    await rejects(bob, () => ratchetDecrypt(bob, huge, envB), LimitError);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(bob.skipped).toHaveLength(0);
  });

  it('counters past 2^32 cannot be encoded or decoded', () => {
    const header = { version: 1, suite: 1, dh: new Uint8Array(32), pn: 0, n: 2 ** 32 };
    expect(() => encode(ratchetMessageCodec, { header, ciphertext: new Uint8Array(16) })).toThrow();
    const ok = encode(ratchetMessageCodec, { header: { ...header, n: 0 }, ciphertext: new Uint8Array(16) });
    expect(() => decode(ratchetMessageCodec, ok.subarray(0, ok.length - 1))).toThrow(DecodeError);
  });

  it('skipped keys expire after the maximum age', async () => {
    const w = await pair('expiry');
    let alice = w.alice;
    let bob = w.bob;
    const envB = w.envB;
    const clock = w.clock;
    const m0 = await send(alice, 'm0');
    alice = m0.state;
    const m1 = await send(alice, 'm1');
    alice = m1.state;
    bob = (await ratchetDecrypt(bob, m1.message, envB)).state; // m0's key is skipped and kept
    expect(bob.skipped).toHaveLength(1);
    clock.advance(RATCHET_LIMITS.skippedKeyMaxAgeMs + 1);
    await rejects(bob, () => ratchetDecrypt(bob, m0.message, envB), ReplayError);
    const m2 = await send(alice, 'm2');
    const r2 = await ratchetDecrypt(bob, m2.message, envB);
    expect(r2.state.skipped).toHaveLength(0); // expired key deleted on the next step
  });

  it('skipped keys are capped by count: the oldest go first', async () => {
    const w = await pair('count-cap');
    let alice = w.alice;
    let bob = w.bob;
    const envB = w.envB;
    // Each message jumps MAX_SKIP ahead: after three, 3*MAX_SKIP keys were skipped; only the cap remains.
    for (let round = 0; round < 3; round++) {
      let last: RatchetMessage | undefined;
      for (let i = 0; i <= RATCHET_LIMITS.maxSkip; i++) {
        const m = await send(alice, 'x');
        alice = m.state;
        last = m.message;
      }
      if (last === undefined) throw new Error('no message');
      bob = (await ratchetDecrypt(bob, last, envB)).state;
    }
    expect(bob.skipped.length).toBe(RATCHET_LIMITS.maxStoredSkippedKeys);
    // Skipped: 0..999, 1001..2000, 2002..3001 (3000 keys); the newest 2000 remain, from n = 1001.
    expect(bob.skipped[0]?.n).toBe(RATCHET_LIMITS.maxSkip + 1);
    expect(bob.skipped.at(-1)?.n).toBe(3 * (RATCHET_LIMITS.maxSkip + 1) - 2);
  }, 60_000);

  it('tampered ciphertext, header fields or associated data are DecryptError, state unchanged', async () => {
    const w = await pair('tamper');
    let alice = w.alice;
    let bob = w.bob;
    const envB = w.envB;
    const m0 = await send(alice, 'first');
    alice = m0.state;
    bob = (await ratchetDecrypt(bob, m0.message, envB)).state;
    const m1 = await send(alice, 'second');
    const flipped = new Uint8Array(m1.message.ciphertext);
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    await rejects(bob, () => ratchetDecrypt(bob, { ...m1.message, ciphertext: flipped }, envB), DecryptError);
    await rejects(
      bob,
      () => ratchetDecrypt(bob, { ...m1.message, ciphertext: m1.message.ciphertext.subarray(0, 10) }, envB),
      DecryptError,
    );
    await rejects(bob, () => ratchetDecrypt(bob, withHeader(m1.message, { pn: 7 }), envB), DecryptError);
    await rejects(bob, () => ratchetDecrypt(bob, withHeader(m1.message, { n: 2 }), envB), DecryptError);
    const otherAd = { ...bob, associatedData: utf8.encode('another conversation') };
    await rejects(otherAd, () => ratchetDecrypt(otherAd, m1.message, envB), DecryptError);
    const dh = new Uint8Array(m1.message.header.dh);
    dh[5] = (dh[5] ?? 0) ^ 0x40;
    await rejects(bob, () => ratchetDecrypt(bob, withHeader(m1.message, { dh }), envB), DecryptError);
    // The honest message still opens afterwards.
    expect(text((await ratchetDecrypt(bob, m1.message, envB)).plaintext)).toBe('second');
  });

  it('a low-order ratchet key in the header is an InvalidKeyError, state unchanged', async () => {
    const { alice, bob, envB } = await pair('low-order');
    const m0 = await send(alice, 'first');
    await rejects(
      bob,
      () => ratchetDecrypt(bob, withHeader(m0.message, { dh: new Uint8Array(32) }), envB),
      InvalidKeyError,
    );
  });

  it('F21: an older version is a DowngradeError, an unknown version or suite a DecodeError, state unchanged', async () => {
    const { alice, bob, envB } = await pair('versions');
    const m0 = await send(alice, 'first');
    expect(m0.message.header.version).toBe(1);
    expect(m0.message.header.suite).toBe(1);
    await rejects(bob, () => ratchetDecrypt(bob, withHeader(m0.message, { version: 0 }), envB), DowngradeError);
    await rejects(bob, () => ratchetDecrypt(bob, withHeader(m0.message, { suite: 0 }), envB), DowngradeError);
    await rejects(bob, () => ratchetDecrypt(bob, withHeader(m0.message, { version: 2 }), envB), DecodeError);
    await rejects(bob, () => ratchetDecrypt(bob, withHeader(m0.message, { suite: 9 }), envB), DecodeError);
  });

  it('a responder cannot send before it has received (ProtocolStateError)', async () => {
    const { bob } = await pair('bob-first');
    await expect(ratchetEncrypt(bob, utf8.encode('x'))).rejects.toBeInstanceOf(ProtocolStateError);
  });

  it('F8: states survive structuredClone (worker restart) and continue without key reuse', async () => {
    const w = await pair('clone');
    let alice = w.alice;
    let bob = w.bob;
    const envA = w.envA;
    const envB = w.envB;
    const m0 = await send(alice, 'before restart');
    alice = structuredClone(m0.state);
    bob = structuredClone((await ratchetDecrypt(bob, m0.message, envB)).state);
    const b0 = await send(bob, 'reply');
    bob = structuredClone(b0.state);
    const r = await ratchetDecrypt(alice, b0.message, envA);
    expect(text(r.plaintext)).toBe('reply');
    alice = structuredClone(r.state);
    const a1 = await send(alice, 'after restart');
    expect(text((await ratchetDecrypt(bob, a1.message, envB)).plaintext)).toBe('after restart');
  });
});
