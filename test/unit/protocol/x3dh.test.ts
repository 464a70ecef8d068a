/**
 * X3DH (Signal spec §3) with the Sealdesk transcript, and the checks first contact runs on the
 * untrusted directory's bundles.
 */
import { describe, expect, it } from 'vitest';
import { x25519KeyPairFromSeed } from '../../../shared/crypto/index.js';
import { InvalidKeyError } from '../../../shared/errors/index.js';
import { asAccountId, asConversationId, asDeviceId } from '../../../shared/wire/index.js';
import {
  ALERT_KINDS,
  startVisitorConversation,
  NoVerifiedBundleError,
  ProtocolStateError,
  PREKEY_POLICY,
  prekeyBundleOf,
  rotateSignedPrekey,
} from '../../../shared/protocol/index.js';
import { type X3dhContext, x3dhInitiate, x3dhRespond } from '../../../shared/protocol/session/x3dh.js';
import { manualClock, seededEnv } from '../../support/seeded-env.js';
import { relaylessWorld } from '../../support/relayless-world.js';

async function keys(seed: string) {
  const env = seededEnv(seed, manualClock());
  return {
    ika: await x25519KeyPairFromSeed(env.rng(32)),
    eka: await x25519KeyPairFromSeed(env.rng(32)),
    ikb: await x25519KeyPairFromSeed(env.rng(32)),
    spkb: await x25519KeyPairFromSeed(env.rng(32)),
    opkb: await x25519KeyPairFromSeed(env.rng(32)),
    context: {
      conversationId: asConversationId(env.rng(16)),
      initiatorId: asDeviceId(env.rng(16)),
      responderId: asDeviceId(env.rng(16)),
      accountId: asAccountId(env.rng(16)),
      accountKey: env.rng(32),
      deviceListVersion: 3,
      deviceListHash: env.rng(32),
    } satisfies X3dhContext,
  };
}

describe('X3DH', () => {
  it('both sides derive the same secret, associated data and session id, with and without a one-time prekey', async () => {
    const k = await keys('agree');
    for (const withOpk of [true, false]) {
      const responder = {
        identityKey: k.ikb.publicKey,
        signedPrekey: k.spkb.publicKey,
        signedPrekeyId: 1,
        oneTimePrekey: withOpk ? { id: 9, publicKey: k.opkb.publicKey } : undefined,
      };
      const a = await x3dhInitiate(k.ika, k.eka, responder, k.context);
      const b = await x3dhRespond(k.ikb, k.spkb, withOpk ? k.opkb : undefined, a.header, k.context);
      expect(b.sharedSecret).toEqual(a.sharedSecret);
      expect(b.associatedData).toEqual(a.associatedData);
      expect(b.sessionId).toEqual(a.sessionId);
      expect(a.header.oneTimePrekeyId).toBe(withOpk ? 9 : undefined);
    }
  });

  it('F2 #17.3: the visitor key, the device ids, the account and the device list are bound into the secret', async () => {
    const k = await keys('binding');
    const responder = {
      identityKey: k.ikb.publicKey,
      signedPrekey: k.spkb.publicKey,
      signedPrekeyId: 1,
      oneTimePrekey: undefined,
    };
    const a = await x3dhInitiate(k.ika, k.eka, responder, k.context);
    const other = await x25519KeyPairFromSeed(new Uint8Array(32).fill(5));
    const swapped = await x3dhRespond(
      k.ikb,
      k.spkb,
      undefined,
      { ...a.header, initiatorIdentityKey: other.publicKey },
      k.context,
    );
    expect(swapped.sharedSecret).not.toEqual(a.sharedSecret);
    const otherList = await x3dhRespond(k.ikb, k.spkb, undefined, { ...a.header, deviceListVersion: 2 }, k.context);
    expect(otherList.sharedSecret).not.toEqual(a.sharedSecret);
    expect(otherList.associatedData).not.toEqual(a.associatedData);
    const otherDevice = await x3dhRespond(k.ikb, k.spkb, undefined, a.header, {
      ...k.context,
      responderId: k.context.initiatorId,
    });
    expect(otherDevice.sharedSecret).not.toEqual(a.sharedSecret);
    // #17.3 unknown key-share: a responder of another account (or under another account key) derives other keys.
    for (const context of [
      { ...k.context, accountId: asAccountId(new Uint8Array(16).fill(9)) },
      { ...k.context, accountKey: new Uint8Array(32).fill(9) },
    ]) {
      const otherAccount = await x3dhRespond(k.ikb, k.spkb, undefined, a.header, context);
      expect(otherAccount.sharedSecret).not.toEqual(a.sharedSecret);
      expect(otherAccount.associatedData).not.toEqual(a.associatedData);
    }
  });

  it('a low-order key anywhere in the exchange is an InvalidKeyError', async () => {
    const k = await keys('low-order');
    const responder = {
      identityKey: new Uint8Array(32),
      signedPrekey: k.spkb.publicKey,
      signedPrekeyId: 1,
      oneTimePrekey: undefined,
    };
    await expect(x3dhInitiate(k.ika, k.eka, responder, k.context)).rejects.toBeInstanceOf(InvalidKeyError);
    const a = await x3dhInitiate(k.ika, k.eka, { ...responder, identityKey: k.ikb.publicKey }, k.context);
    const zeroEphemeral = new Uint8Array(32);
    zeroEphemeral[0] = 1; // u = 1 is a low-order point
    await expect(
      x3dhRespond(k.ikb, k.spkb, undefined, { ...a.header, initiatorEphemeralKey: zeroEphemeral }, k.context),
    ).rejects.toBeInstanceOf(InvalidKeyError);
  });
});

describe('first contact: bundles from the untrusted directory', () => {
  it('a swapped signed prekey gets no session and a bad-signature alert; the other devices still work', async () => {
    const world = await relaylessWorld('swapped-spk', 2);
    const relaySpk = await x25519KeyPairFromSeed(new Uint8Array(32).fill(9));
    const [first, second] = world.bundles;
    if (first === undefined || second === undefined) throw new Error('two bundles expected');
    const started = await startVisitorConversation(
      world.list,
      [{ ...first, signedPrekey: relaySpk.publicKey }, second],
      seededEnv('v', world.clock),
    );
    expect(started.alerts.map((a) => a.kind)).toEqual([ALERT_KINDS.badSignature]);
    expect(started.state.sessions).toHaveLength(1);
  });

  it('a stale signed prekey gets no session and a stale-signed-prekey alert', async () => {
    const world = await relaylessWorld('stale-spk', 2);
    const [stale, fresh] = world.agents;
    if (stale === undefined || fresh === undefined) throw new Error('two devices expected');
    world.clock.advance(PREKEY_POLICY.maxAgeMs + 1);
    fresh.prekeys = await rotateSignedPrekey(fresh.prekeys, fresh.keys, fresh.env);
    const started = await startVisitorConversation(
      world.list,
      [prekeyBundleOf(stale.prekeys), prekeyBundleOf(fresh.prekeys)],
      seededEnv('v', world.clock),
    );
    expect(started.alerts.map((a) => a.kind)).toEqual([ALERT_KINDS.staleSignedPrekey]);
    expect(started.state.sessions.map((x) => x.peerId)).toEqual([fresh.keys.deviceId]);
    world.clock.advance(1);
    const none = await startVisitorConversation(
      world.list,
      [prekeyBundleOf(stale.prekeys)],
      seededEnv('v2', world.clock),
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(none).toBeInstanceOf(ProtocolStateError);
    // §5.1: the error names why each device was refused, so a runtime can say it in plain words.
    expect(none).toBeInstanceOf(NoVerifiedBundleError);
    expect((none as NoVerifiedBundleError).alerts.map((a) => a.kind)).toEqual([ALERT_KINDS.staleSignedPrekey]);
  });
});
