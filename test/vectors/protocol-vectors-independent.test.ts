/**
 * A second, independent check of the protocol vectors (docs/PROTOCOL.md §18.4, issue #17): the
 * keys, DH outputs, transcripts, root/chain/message keys and content keys of
 * test/vectors/protocol-v2.json re-derived from the rng seeds with raw WebCrypto and hand-written
 * parsing (raw-webcrypto.ts), following the spec's text rather than shared/crypto or shared/protocol.
 * Where the spec fixes a draw order (§3.1, §3.2, §3.3, §5.1, §6.2, §7.4), the block used here is
 * the one the spec names.
 */
import { describe, expect, it } from 'vitest';
import {
  aesGcmOpen,
  ascii,
  base32,
  cat,
  ed25519PublicFromSeed,
  ed25519Verify,
  hex,
  hkdf,
  hmac,
  labelled,
  parsePacket,
  rngBlock,
  sha256,
  u32be,
  u64be,
  unhex,
  unpadByHand,
  x25519FromSeed,
} from './raw-webcrypto.js';
import { deliveriesOf, sendsOf, type StoredPacket, type StoredSession, storedVectors } from './stored-vectors.js';

const v = storedVectors();
const sends = sendsOf(v);
const ZERO32 = new Uint8Array(32);
const VERSION_SUITE = Uint8Array.of(2, 1);

function seedOf(party: string): string {
  if (party === 'visitor') return v.inputs.seeds.visitor;
  if (party === 'account') return v.inputs.seeds.account;
  const device = v.inputs.devices.find((d) => d.label === party);
  if (device === undefined) throw new Error(`unknown party ${party}`);
  return device.seed;
}

function deviceOf(label: string) {
  const d = v.account.devices.find((x) => x.label === label);
  if (d === undefined) throw new Error(`unknown device ${label}`);
  return d;
}

function idOf(party: string): Uint8Array {
  return unhex(party === 'visitor' ? v.conversation.visitorId : deviceOf(party).deviceId);
}

async function x25519At(party: string, block: number) {
  return x25519FromSeed(await rngBlock(seedOf(party), block));
}

/** §6.1 KDF_RK. */
async function kdfRk(rk: Uint8Array, dhOut: Uint8Array): Promise<{ rk: Uint8Array; ck: Uint8Array }> {
  const out = await hkdf(dhOut, rk, ascii('sealdesk/v2/ratchet-root'), 64);
  return { rk: out.slice(0, 32), ck: out.slice(32) };
}

describe('protocol vectors v2, re-derived with raw WebCrypto', () => {
  it('#17.1: the account, device and prekey keys come from the rng blocks in the spec’s draw order', async () => {
    const accountSeed = v.inputs.seeds.account;
    // §3.1: account id rng(16), then the AIK seed rng(32); §3.2 (vectors): one rng(16) per agent id after it.
    expect(hex((await rngBlock(accountSeed, 0)).slice(0, 16))).toBe(v.account.accountId);
    expect(hex(await ed25519PublicFromSeed(await rngBlock(accountSeed, 1)))).toBe(v.account.accountKey);
    for (const [i, agentId] of v.account.agentIds.entries())
      expect(hex((await rngBlock(accountSeed, 2 + i)).slice(0, 16))).toBe(agentId);
    for (const input of v.inputs.devices) {
      const d = deviceOf(input.label);
      // §3.2: device id rng(16), signing seed rng(32), DH identity seed rng(32); §3.3: SPK seed, then one per OPK.
      expect(hex((await rngBlock(input.seed, 0)).slice(0, 16))).toBe(d.deviceId);
      expect(hex(await ed25519PublicFromSeed(await rngBlock(input.seed, 1)))).toBe(d.signingKey);
      expect(hex((await x25519At(input.label, 2)).publicKey)).toBe(d.dhIdentityKey);
      expect(hex((await x25519At(input.label, 3)).publicKey)).toBe(d.signedPrekey.publicKey);
      expect(d.oneTimePrekeys.map((o) => o.id)).toEqual(Array.from({ length: input.oneTimePrekeys }, (_, i) => i + 1));
      for (const o of d.oneTimePrekeys)
        expect(hex((await x25519At(input.label, 3 + o.id)).publicKey)).toBe(o.publicKey);
      // §3.3 signed prekey statement, signed by the device signing key.
      const statement = cat(
        VERSION_SUITE,
        unhex(d.deviceId),
        u32be(d.signedPrekey.id),
        unhex(d.signedPrekey.publicKey),
        u64be(d.signedPrekey.createdAt),
      );
      expect(
        await ed25519Verify(
          unhex(d.signingKey),
          labelled('sealdesk/v2/signed-prekey', statement),
          unhex(d.signedPrekey.signature),
        ),
      ).toBe(true);
    }
  });

  it('#17.3: the signed list, its hash, the business fingerprint and the safety code', async () => {
    const list = v.account.signedDeviceList;
    const body = unhex(list.body);
    const aik = unhex(v.account.accountKey);
    expect(await ed25519Verify(aik, labelled('sealdesk/v2/device-list', body), unhex(list.signature))).toBe(true);
    expect(hex(await sha256(labelled('sealdesk/v2/device-list-hash', body)))).toBe(list.hash);
    // §4.1 signed list: version | suite | u32 length | body | signature.
    expect(list.encoded).toBe(hex(cat(VERSION_SUITE, u32be(body.length), body, unhex(list.signature))));
    // §12.1
    const label = ascii('sealdesk/v2/business-fingerprint');
    const fp = await sha256(cat(u32be(label.length), label, u32be(32), aik));
    expect(hex(fp)).toBe(v.account.businessFingerprint.bytes);
    const text = base32(fp);
    expect(text).toHaveLength(52);
    expect(v.account.businessFingerprint.text).toBe(text.match(/.{4}/g)?.join(' '));
    // §12.2
    const ika = unhex(v.conversation.visitorIdentityKey);
    const [lo, hi] = hex(ika) < hex(aik) ? [ika, aik] : [aik, ika];
    const d = await sha256(labelled('sealdesk/v2/safety-code', cat(unhex(v.conversation.conversationId), lo, hi)));
    const groups = Array.from({ length: 6 }, (_, i) => {
      let n = 0;
      for (const b of d.slice(5 * i, 5 * i + 5)) n = n * 256 + b;
      return String(n % 100000).padStart(5, '0');
    });
    expect(v.conversation.safetyCode).toBe(groups.join(' '));
  });

  it('#17.1: the visitor’s key and ids, and the per-device draws of first contact (§5.1)', async () => {
    const identity = await x25519At('visitor', 0);
    expect(hex(identity.publicKey)).toBe(v.conversation.visitorIdentityKey);
    const ika = identity.publicKey;
    expect(hex((await sha256(labelled('sealdesk/v2/conversation-id', ika))).slice(0, 16))).toBe(
      v.conversation.conversationId,
    );
    expect(hex((await sha256(labelled('sealdesk/v2/visitor-id', ika))).slice(0, 16))).toBe(v.conversation.visitorId);
    // Per listed device with a verified bundle, in list order: EKA then the first ratchet key.
    const visitorSessions = v.sessions.filter((s) => s.initiator === 'visitor');
    const order = v.inputs.devices.map((d) => d.label).filter((l) => visitorSessions.some((s) => s.responder === l));
    for (const [i, label] of order.entries()) {
      const s = visitorSessions.find((x) => x.responder === label);
      expect(s?.draws).toEqual({ initiatorIdentityKey: 0, ephemeralKey: 1 + 2 * i, ratchetKey: 2 + 2 * i });
    }
  });

  it('#17.1: a send draws its content key first, then each new sibling session’s EKA and ratchet key (§7.4)', async () => {
    // Sessions the visitor's start made (§5.1) are not started by a send.
    const startDraws = (v.draws['visitor'] ?? []).filter((d) => d.step === 'start').map((d) => d.block);
    const started = new Set(
      v.sessions
        .filter((x) => x.initiator === 'visitor' && startDraws.includes(x.draws.ephemeralKey))
        .map((x) => x.sessionId),
    );
    expect(started.size).toBeGreaterThan(0);
    for (const send of sends) {
      const drawn = (v.draws[send.from] ?? []).filter((d) => d.step === `send ${send.id}`);
      const attachment = send.body.kind === 'attachment';
      // §8.1: an attachment is sealed first (attachment id rng(16), file key rng(32)).
      const before = attachment ? [16, 32] : [];
      expect(drawn.slice(0, before.length).map((d) => d.bytes)).toEqual(before);
      const contentKey = drawn[before.length];
      expect(contentKey?.block).toBe(send.contentKeyDraw);
      expect(hex(await rngBlock(seedOf(send.from), send.contentKeyDraw))).toBe(send.contentKey);
      // The sessions this send starts, in packet (= list) order, each drew its EKA and ratchet key after it.
      const fresh = send.packets.filter((p) => p.sessionKind === 'initial' && !started.has(p.sessionId));
      const newSessions = fresh
        .map((p) => v.sessions.find((x) => x.sessionId === p.sessionId && x.initiator === send.from))
        .filter((x) => x !== undefined);
      expect(drawn.length).toBe(before.length + 1 + 2 * newSessions.length);
      newSessions.forEach((x, k) => {
        expect(x.draws.ephemeralKey).toBe(send.contentKeyDraw + 1 + 2 * k);
        expect(x.draws.ratchetKey).toBe(send.contentKeyDraw + 2 + 2 * k);
      });
      for (const p of send.packets) started.add(p.sessionId);
    }
  });

  it('#17.1: a receive draws one ratchet key exactly when the packet brings a new ratchet key (§6.2)', () => {
    const seen = new Map<string, Set<string>>();
    let stepsWithDraw = 0;
    for (const d of deliveriesOf(v)) {
      const packet = sends.find((s) => s.id === d.id)?.packets.find((p) => p.to === d.to);
      if (packet === undefined) throw new Error(`no packet of ${d.id} for ${d.to}`);
      const key = `${d.to}/${packet.sessionId}`;
      const keys = seen.get(key) ?? new Set<string>();
      const isNew = !keys.has(packet.header.dh);
      expect(d.draws).toHaveLength(isNew ? 1 : 0);
      expect((v.draws[d.to] ?? []).filter((x) => x.step === `deliver ${d.id} to ${d.to}`).map((x) => x.bytes)).toEqual(
        isNew ? [32] : [],
      );
      if (isNew) stepsWithDraw += 1;
      keys.add(packet.header.dh);
      seen.set(key, keys);
    }
    expect(stepsWithDraw).toBeGreaterThan(0);
  });

  async function checkSession(s: StoredSession): Promise<void> {
    const ika = await x25519At(s.initiator, s.draws.initiatorIdentityKey);
    const eka = await x25519At(s.initiator, s.draws.ephemeralKey);
    const ratchet = await x25519At(s.initiator, s.draws.ratchetKey);
    expect([hex(ika.publicKey), hex(eka.publicKey), hex(ratchet.publicKey)]).toEqual([
      s.initiatorIdentityKey,
      s.ephemeralKey,
      s.ratchetKey,
    ]);
    const responder = deviceOf(s.responder);
    const spk = unhex(s.signedPrekey);
    const ikb = unhex(responder.dhIdentityKey);
    const dhs = [await ika.dh(spk), await eka.dh(ikb), await eka.dh(spk)];
    const opk =
      s.oneTimePrekey === null ? undefined : responder.oneTimePrekeys.find((o) => o.publicKey === s.oneTimePrekey);
    if (s.oneTimePrekey !== null && opk === undefined) throw new Error('a one-time prekey the device never had');
    if (opk !== undefined) dhs.push(await eka.dh(unhex(opk.publicKey)));
    expect(dhs.map(hex)).toEqual(s.dh);
    // The responder computes the same outputs from its own seeds (§3.2 block 2, §3.3 blocks 3 and 3 + id).
    expect(hex(await (await x25519At(s.responder, 3)).dh(ika.publicKey))).toBe(s.dh[0]);
    expect(hex(await (await x25519At(s.responder, 2)).dh(eka.publicKey))).toBe(s.dh[1]);
    // §5.2 transcript, field by field.
    const list = v.account.signedDeviceList;
    const transcript = cat(
      VERSION_SUITE,
      unhex(v.conversation.conversationId),
      idOf(s.initiator),
      idOf(s.responder),
      ika.publicKey,
      eka.publicKey,
      ikb,
      spk,
      u32be(responder.signedPrekey.id),
      opk === undefined ? Uint8Array.of(0) : cat(Uint8Array.of(1), unhex(opk.publicKey)),
      opk === undefined ? Uint8Array.of(0) : cat(Uint8Array.of(1), u32be(opk.id)),
      unhex(v.account.accountId),
      unhex(v.account.accountKey),
      u32be(list.version),
      unhex(list.hash),
    );
    expect(hex(transcript)).toBe(s.transcript);
    expect(hex(labelled('sealdesk/v2/x3dh-ad', transcript))).toBe(s.associatedData);
    const sk = await hkdf(
      cat(new Uint8Array(32).fill(0xff), ...dhs),
      ZERO32,
      labelled('sealdesk/v2/x3dh', transcript),
      32,
    );
    expect(hex(sk)).toBe(s.sharedSecret);
    expect(hex((await sha256(labelled('sealdesk/v2/session-id', eka.publicKey))).slice(0, 16))).toBe(s.sessionId);
    // §6.2 RatchetInitAlice.
    const init = await kdfRk(sk, await ratchet.dh(spk));
    expect([hex(init.rk), hex(init.ck)]).toEqual([s.rootKey, s.chainKey]);
  }

  it('#17.3: X3DH of every session (DH outputs, transcript, AD, SK, session id, first root and chain keys)', async () => {
    expect(v.sessions.length).toBeGreaterThan(0);
    for (const s of v.sessions) await checkSession(s);
  });

  async function checkPacket(p: StoredPacket, associatedData: Uint8Array): Promise<Uint8Array> {
    const parsed = parsePacket(unhex(p.packet));
    expect([parsed.version, parsed.suite, hex(parsed.sessionId)]).toEqual([2, 1, p.sessionId]);
    expect({ dh: hex(parsed.dh), pn: parsed.pn, n: parsed.n }).toEqual(p.header);
    // §6.1 KDF_CK and ENCRYPT.
    const mk = await hmac(unhex(p.chainKey), Uint8Array.of(1));
    expect(hex(mk)).toBe(p.messageKey);
    const keyIv = await hkdf(mk, ZERO32, ascii('sealdesk/v2/ratchet-message'), 44);
    const keys = await aesGcmOpen(
      keyIv.slice(0, 32),
      keyIv.slice(32),
      parsed.ciphertext,
      cat(associatedData, parsed.headerBytes),
    );
    expect(hex(keys)).toBe(p.keyPacket);
    return parsed.body;
  }

  it('#17.3: every packet opens from its recorded chain key; every body from its content key (§6.1, §7.2, §7.4, §7.5)', async () => {
    const adOf = new Map(v.sessions.map((s) => [s.sessionId, unhex(s.associatedData)]));
    for (const send of sends) {
      const bodies = new Set<string>();
      for (const p of send.packets) {
        const ad = adOf.get(p.sessionId);
        if (ad === undefined) throw new Error(`packet of an unknown session ${p.sessionId}`);
        bodies.add(hex(await checkPacket(p, ad)));
        // keys = version | suite | contentKey | bodyHash
        expect(p.keyPacket).toBe(hex(cat(VERSION_SUITE, unhex(send.contentKey), unhex(send.bodyHash))));
      }
      expect(bodies.size).toBe(1); // encrypted once, the same body for every recipient
      const body = unhex([...bodies][0] ?? '');
      // §7.4: the content key is the sender's draw, the body hash is labelled.
      expect(hex(await rngBlock(seedOf(send.from), send.contentKeyDraw))).toBe(send.contentKey);
      expect(hex(await sha256(labelled('sealdesk/v2/body-hash', body)))).toBe(send.bodyHash);
      const keyIv = await hkdf(unhex(send.contentKey), ZERO32, ascii('sealdesk/v2/content-key'), 44);
      const aad = labelled(
        'sealdesk/v2/content-aad',
        cat(VERSION_SUITE, unhex(v.conversation.conversationId), idOf(send.from)),
      );
      expect(hex(aad)).toBe(send.contentAad);
      const padded = await aesGcmOpen(keyIv.slice(0, 32), keyIv.slice(32), body, aad);
      expect(padded.length).toBe(send.paddedBytes);
      const frame = unpadByHand(padded);
      expect(hex(frame)).toBe(send.frame);
      // §7.2 by hand: frame version 3, suite 1; prevListVersion after deviceListHash (offset 114);
      // then the acks, 56 bytes each, the acked frame's list version last.
      const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
      expect([frame[0], frame[1]]).toEqual([3, 1]);
      expect(view.getUint32(114)).toBe(send.prevListVersion);
      send.acks.forEach((a, i) => {
        expect(view.getUint32(118 + 4 + i * 56 + 52)).toBe(a.listVersion);
      });
      expect(hex(await sha256(labelled('sealdesk/v2/message-hash', frame)))).toBe(send.frameHash);
    }
  });

  it('#17.3: the DH ratchet steps of the visitor–first-device session, from the seeds (§6.2; pn > 0)', async () => {
    const s = v.sessions.find((x) => x.initiator === 'visitor');
    if (s === undefined) throw new Error('no visitor session');
    const agent = s.responder;
    const inSession = sends.flatMap((send) =>
      send.packets.filter((p) => p.sessionId === s.sessionId).map((p) => ({ send, p })),
    );
    const reply = inSession.find((x) => x.send.from === agent);
    if (reply === undefined) throw new Error('the agent never replied in the vectors');
    // Responder: RatchetInitBob (rk = SK, dhSelf = SPK), then a DH step on the visitor's first ratchet key,
    // drawing its new ratchet key on the delivery that brought it.
    const firstDelivery = deliveriesOf(v).find((d) => d.to === agent && d.draws.length > 0);
    if (firstDelivery === undefined) throw new Error('the agent never drew on a delivery');
    const spk = await x25519At(agent, 3);
    const recv = await kdfRk(unhex(s.sharedSecret), await spk.dh(unhex(s.ratchetKey)));
    expect([hex(recv.rk), hex(recv.ck)]).toEqual([s.rootKey, s.chainKey]);
    const agentRatchet = await x25519At(agent, firstDelivery.draws[0] ?? -1);
    expect(hex(agentRatchet.publicKey)).toBe(reply.p.header.dh);
    const agentSend = await kdfRk(recv.rk, await agentRatchet.dh(unhex(s.ratchetKey)));
    expect([hex(agentSend.rk), hex(agentSend.ck)]).toEqual([reply.p.rootKey, reply.p.chainKey]);
    // Visitor: the step on the agent's new key, its own new key drawn on that delivery; the next packet has pn > 0.
    const next = inSession.find((x) => x.send.from === 'visitor' && x.p.header.pn > 0);
    const delivery = deliveriesOf(v).find((d) => d.id === reply.send.id && d.to === 'visitor');
    if (next === undefined || delivery === undefined) throw new Error('no visitor ratchet step in the vectors');
    const visitorRatchet = await x25519At('visitor', s.draws.ratchetKey);
    const visitorRecv = await kdfRk(unhex(s.rootKey), await visitorRatchet.dh(agentRatchet.publicKey));
    expect([hex(visitorRecv.rk), hex(visitorRecv.ck)]).toEqual([reply.p.rootKey, reply.p.chainKey]);
    const visitorNew = await x25519At('visitor', delivery.draws[0] ?? -1);
    expect(hex(visitorNew.publicKey)).toBe(next.p.header.dh);
    const visitorSend = await kdfRk(visitorRecv.rk, await visitorNew.dh(agentRatchet.publicKey));
    expect([hex(visitorSend.rk), hex(visitorSend.ck)]).toEqual([next.p.rootKey, next.p.chainKey]);
    // pn = the number of packets the visitor sent on its previous chain in this session.
    const before = inSession.filter((x) => x.send.from === 'visitor' && x.p.header.dh === s.ratchetKey);
    expect(next.p.header.pn).toBe(before.length);
  });
});
