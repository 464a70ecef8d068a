/**
 * The project's own protocol vectors (docs/PROTOCOL.md §18; ARCHITECTURE tests §2), checked with the
 * real protocol code: regenerating them with the inputs they store must give
 * test/vectors/protocol-v2.json byte for byte, and every stored structure must decode strictly and
 * verify. A difference means the wire format or a derivation changed: regenerate deliberately
 * (`npx tsx scripts/gen-protocol-vectors.ts`) and bump the version (§15). Nothing here is a
 * hard-coded byte: the script's coverage is checked as properties, so a regeneration after a wire
 * change keeps these tests meaningful.
 */
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../shared/crypto/index.js';
import {
  businessFingerprint,
  conversationPacketCodec,
  decodePrekeyBundle,
  decodeSignedDeviceList,
  frameCodec,
  keyPacketCodec,
  safetyCode,
  verifyPrekeyBundle,
  verifySignedDeviceList,
} from '../../shared/protocol/index.js';
import { asConversationId, decode } from '../../shared/wire/index.js';
import { generateProtocolVectors, protocolVectorsJson } from '../../scripts/vectors/generate.js';
import { deliveriesOf, sendsOf, STORED_VECTORS_TEXT, storedVectors } from './stored-vectors.js';

const vectors = storedVectors();
const sends = sendsOf(vectors);
const packets = sends.flatMap((s) => s.packets.map((p) => ({ send: s, packet: p })));

describe('protocol vectors v2 (real protocol code)', () => {
  it('F21: regenerating the vectors gives the stored file byte for byte', async () => {
    expect(await protocolVectorsJson()).toBe(STORED_VECTORS_TEXT);
  });

  it('#17.3: the vectors regenerate from the inputs stored in them', async () => {
    expect(await generateProtocolVectors(vectors.inputs)).toEqual(vectors);
  });

  it('#17.3: the signed device list and the bundles decode strictly and verify', async () => {
    const list = vectors.account.signedDeviceList;
    const signed = decodeSignedDeviceList(fromHex(list.encoded));
    const decoded = await verifySignedDeviceList(signed, fromHex(vectors.account.accountKey));
    expect(decoded.version).toBe(list.version);
    expect(decoded.devices.map((d) => d.agentName)).toEqual(
      vectors.inputs.devices.map((d) => vectors.inputs.agents[d.agent]?.name),
    );
    const bundles = [...vectors.bundles.visitor, ...Object.values(vectors.bundles.siblings).flat()];
    for (const stored of bundles) {
      const bundle = decodePrekeyBundle(fromHex(stored.encoded));
      const entry = decoded.devices.find((d) => bundle.deviceId.every((b, i) => d.deviceId[i] === b));
      if (entry === undefined) throw new Error(`bundle of ${stored.device} names an unlisted device`);
      await verifyPrekeyBundle(bundle, entry, vectors.inputs.clockStartMs);
      expect(bundle.oneTimePrekey?.id ?? null).toBe(stored.oneTimePrekeyId);
    }
  });

  it('#17.3: the business fingerprint and the safety code are those of the real functions', async () => {
    expect(await businessFingerprint(fromHex(vectors.account.accountKey))).toBe(
      vectors.account.businessFingerprint.text,
    );
    const c = vectors.conversation;
    expect(
      await safetyCode(
        asConversationId(fromHex(c.conversationId)),
        fromHex(vectors.account.accountKey),
        fromHex(c.visitorIdentityKey),
      ),
    ).toBe(c.safetyCode);
  });

  it('#17.3: every packet decodes strictly and agrees with its recorded session kind, header, frame and keys', () => {
    expect(packets.length).toBeGreaterThan(0);
    for (const { send, packet } of packets) {
      const decoded = decode(conversationPacketCodec, fromHex(packet.packet));
      expect(decoded.session.kind).toBe(packet.sessionKind);
      expect(decoded.session.message.header.pn).toBe(packet.header.pn);
      expect(decoded.session.message.header.n).toBe(packet.header.n);
      const keys = decode(keyPacketCodec, fromHex(packet.keyPacket));
      expect(keys.contentKey).toEqual(fromHex(send.contentKey));
      expect(keys.bodyHash).toEqual(fromHex(send.bodyHash));
      expect(decoded.body.length).toBe(packet.bodyBytes);
    }
    for (const send of sends) {
      const frame = decode(frameCodec, fromHex(send.frame));
      expect(frame.seq).toBe(send.seq);
      expect(frame.sentAt).toBe(vectors.inputs.clockStartMs + send.atMs);
      expect(frame.body.kind).toBe(send.body.kind);
      expect(frame.acks.map((a) => a.seq)).toEqual(send.acks.map((a) => a.seq));
      expect(frame.deviceListVersion).toBe(send.deviceListVersion);
      expect(frame.prevListVersion).toBe(send.prevListVersion);
      expect(frame.acks.map((a) => a.listVersion)).toEqual(send.acks.map((a) => a.listVersion));
      expect(send.frameBytes + 4).toBeLessThanOrEqual(send.paddedBytes);
    }
  });

  it('#17.3: the script covers the second phase (ratchet step, out of order, fan-out, acks, kinds, buckets)', () => {
    const all = packets.map((p) => p.packet);
    expect(all.some((p) => p.header.pn > 0)).toBe(true);
    expect(new Set(all.map((p) => p.sessionKind))).toEqual(new Set(['initial', 'signedReply', 'normal']));
    expect(sends.some((s) => s.packets.filter((p) => p.recipient === 'device').length >= 2)).toBe(true);
    expect(sends.some((s) => s.acks.length >= 2)).toBe(true);
    expect(new Set(sends.map((s) => s.body.kind))).toEqual(
      new Set(['text', 'typing', 'readReceipt', 'attachment', 'close']),
    );
    // Padding buckets (§7.5): at least four different ones, up to 16,384 bytes.
    const buckets = new Set(sends.map((s) => s.paddedBytes));
    expect(buckets.size).toBeGreaterThanOrEqual(4);
    expect(Math.max(...buckets)).toBeGreaterThanOrEqual(16384);
    // Out of order: a delivery that releases nothing, then one that releases two frames.
    const deliveries = deliveriesOf(vectors);
    expect(deliveries.some((d) => d.released.length === 0)).toBe(true);
    expect(deliveries.some((d) => d.released.length >= 2)).toBe(true);
    expect(new Set(vectors.sessions.map((s) => s.dh.length))).toEqual(new Set([3, 4]));
    expect(vectors.sessions.some((s) => s.initiator !== 'visitor')).toBe(true); // a sibling first contact
    // An honest script raises no alert.
    expect([...sends.flatMap((s) => s.alerts), ...deliveries.flatMap((d) => d.alerts)]).toEqual([]);
  });
});
