/**
 * A device linked after a conversation began (PROTOCOL §7.6, §7.7; THREAT-MODEL §7 "Issue #15: a
 * late-linked device's reply…"): its first list is L_D = 5. The frames and acks of senders that
 * wrote on older lists were never for it: no `gap`, no `device-divergence`. What was sent on a list
 * naming it is still checked as before: a missing frame is a `gap`, a missing acked one a divergence.
 */
import { describe, expect, it } from 'vitest';
import {
  ALERT_KINDS,
  applyDeviceList,
  type ConversationDeviceList,
  type ConversationState,
  createDeviceKeys,
  createPrekeyState,
  deviceEntryOf,
  type DeviceEntry,
  type DeviceKeys,
  type MessageBody,
  ORDER_LIMITS,
  type OutgoingPacket,
  prekeyBundleOf,
  type PrekeyState,
  type ProtocolEnv,
  receiveMessage,
  type ReleasedMessage,
  type SecurityAlert,
  sendMessage,
  tick,
} from '../../../shared/protocol/index.js';
import {
  acceptFrame,
  flushTrack,
  newSenderTrack,
  type OrderedFrame,
  type SenderTrack,
  ZERO_HASH,
} from '../../../shared/protocol/conversation/conversation-order.js';
import { asDeviceId, type DeviceId, idEquals } from '../../../shared/wire/index.js';
import { agentTakes, relaylessWorld, type RelaylessWorld } from '../../support/relayless-world.js';
import { seededEnv } from '../../support/seeded-env.js';

const L_D = 5;

describe('a sender track on a device first listed at version 5 (PROTOCOL §7.6)', () => {
  const sender = asDeviceId(new Uint8Array(16).fill(7));
  const hashOf = (seq: number): Uint8Array => new Uint8Array(32).fill(seq);
  const frame = (seq: number, prevListVersion: number, listVersion = L_D): OrderedFrame => ({
    seq,
    hash: hashOf(seq),
    prevHash: seq === 1 ? ZERO_HASH : hashOf(seq - 1),
    sentAt: 0,
    body: { kind: 'text', text: `m${seq}` },
    ownAck: 0,
    listVersion,
    prevListVersion,
  });
  const feed = (track: SenderTrack, frames: readonly OrderedFrame[], listedSince: number) =>
    frames.reduce(
      (acc, f) => {
        const r = acceptFrame(acc.track, f, 0, listedSince);
        return {
          track: r.track,
          released: [...acc.released, ...r.released.map((m) => m.seq)],
          notes: [...acc.notes, ...r.notes.map((n) => n.kind)],
        };
      },
      { track, released: [] as number[], notes: [] as string[] },
    );

  it('#15: seq 7 whose previous frame named list 4 is released at once, with no gap, and the track starts there', () => {
    const r = feed(newSenderTrack(sender), [frame(7, 4), frame(8, L_D)], L_D);
    expect(r.released).toEqual([7, 8]);
    expect(r.notes).toEqual([]);
    expect(r.track.firstSeq).toBe(7);
    const later = flushTrack(r.track, ORDER_LIMITS.reorderWindowMs * 2, true, L_D);
    expect(later.notes).toEqual([]);
  });

  it('#15: the same frames arriving out of order still start the track at seq 7', () => {
    const r = feed(newSenderTrack(sender), [frame(8, L_D), frame(7, 4)], L_D);
    expect(r.released).toEqual([7, 8]);
    expect(r.notes).toEqual([]);
  });

  it('#15: seq 7 whose previous frame named list 5 waits for seq 6 and declares the gap after the window', () => {
    const r = feed(newSenderTrack(sender), [frame(7, L_D)], L_D);
    expect(r.released).toEqual([]);
    const early = flushTrack(r.track, ORDER_LIMITS.reorderWindowMs - 1, false, L_D);
    expect(early.notes).toEqual([]);
    const due = flushTrack(r.track, ORDER_LIMITS.reorderWindowMs, false, L_D);
    expect(due.released.map((m) => m.seq)).toEqual([7]);
    expect(due.notes.map((n) => n.kind)).toEqual([ALERT_KINDS.gap]);
    expect(due.notes[0]?.detail).toContain('messages 1–6');
  });

  it('#15: a track that has released frames never restarts: a later prevListVersion below 5 is a fork, its gap still a gap', () => {
    const started = feed(newSenderTrack(sender), [frame(1, 0), frame(2, L_D)], L_D);
    expect(started.released).toEqual([1, 2]);
    // Seq 3 claims its predecessor (seq 2, on list 5) named list 4: it does not link.
    const lying = feed(started.track, [frame(3, 4)], L_D);
    expect(lying.released).toEqual([3]);
    expect(lying.notes).toEqual([ALERT_KINDS.fork]);
    // Seq 5 after a missing seq 4, claiming list 4 before it: no fresh start, the gap is declared.
    const skipped = feed(lying.track, [frame(5, 4)], L_D);
    expect(skipped.released).toEqual([]);
    expect(flushTrack(skipped.track, ORDER_LIMITS.reorderWindowMs, false, L_D).notes.map((n) => n.kind)).toEqual([
      ALERT_KINDS.gap,
    ]);
  });

  it('#15: a device listed from the start (L_D = 0 or 1) keeps every gap, whatever the frame says', () => {
    for (const listedSince of [0, 1]) {
      const r = feed(newSenderTrack(sender), [frame(7, 1)], listedSince);
      expect(r.released).toEqual([]);
      expect(flushTrack(r.track, ORDER_LIMITS.reorderWindowMs, false, listedSince).notes.map((n) => n.kind)).toEqual([
        ALERT_KINDS.gap,
      ]);
    }
  });
});

/** One account device in this test: its keys, the list it holds and its first list (L_D). */
interface Device {
  readonly keys: DeviceKeys;
  readonly entry: DeviceEntry;
  readonly env: ProtocolEnv;
  prekeys: PrekeyState;
  list: ConversationDeviceList;
  readonly listedSince: number;
  state: ConversationState | null;
  readonly shown: ReleasedMessage[];
  readonly alerts: SecurityAlert[];
}

function nextVersion(
  list: ConversationDeviceList,
  version: number,
  devices: readonly DeviceEntry[],
): ConversationDeviceList {
  return {
    ...list,
    version,
    hash: new Uint8Array(32).fill(version),
    devices,
    earlier: [...list.earlier, { version: list.version, hash: list.hash }],
  };
}

/** Visitor and two devices on list 4; a third device is added in list 5, after six messages. */
async function lateWorld(seed: string) {
  const world: RelaylessWorld = await relaylessWorld(seed, 2);
  const v4 = nextVersion(world.list, 4, world.list.devices);
  world.visitor.state = (await applyDeviceList(world.visitor.state, v4, [], world.visitor.env)).state;
  const devices: Device[] = world.agents.map((a) => ({
    keys: a.keys,
    entry: a.entry,
    env: a.env,
    prekeys: a.prekeys,
    list: v4,
    listedSince: 1,
    state: null,
    shown: [],
    alerts: [],
  }));
  const visitorAlerts: SecurityAlert[] = [];

  const deviceOf = (id: DeviceId): Device => {
    const d = devices.find((x) => idEquals(x.keys.deviceId, id));
    if (d === undefined) throw new Error('no such device');
    return d;
  };
  const deliver = async (packets: readonly OutgoingPacket[], skip?: Device): Promise<void> => {
    for (const p of packets) {
      if (p.recipient.kind === 'visitor') {
        const step = await receiveMessage(world.visitor.state, p.body, world.visitor.env);
        world.visitor.state = step.state;
        visitorAlerts.push(...step.alerts);
        continue;
      }
      const d = deviceOf(p.recipientId);
      if (d === skip) continue;
      await agentTakes(d, p.body, {
        device: d.keys,
        prekeys: d.prekeys,
        deviceList: d.list,
        listedSince: d.listedSince,
      });
    }
  };
  const deviceSends = async (d: Device, text: string): Promise<readonly OutgoingPacket[]> => {
    if (d.state === null) throw new Error('the device holds no conversation yet');
    const step = await sendMessage(d.state, { kind: 'text', text } satisfies MessageBody, d.env, {
      device: d.keys,
      siblingBundles: devices.filter((x) => x !== d).map((x) => prekeyBundleOf(x.prekeys)),
      deviceList: d.list,
    });
    d.state = step.state;
    return step.outgoing;
  };
  const visitorSends = async (text: string): Promise<readonly OutgoingPacket[]> => {
    const step = await sendMessage(world.visitor.state, { kind: 'text', text }, world.visitor.env);
    world.visitor.state = step.state;
    return step.outgoing;
  };
  const [a, b] = devices;
  if (a === undefined || b === undefined) throw new Error('two devices expected');

  // Six messages both ways on list 4.
  await deliver(await visitorSends('hello'));
  await deliver(await deviceSends(a, 'hi, how can I help?'));
  await deliver(await visitorSends('my order is late'));
  await deliver(await deviceSends(b, 'looking into it'));
  await deliver(await visitorSends('thanks'));
  await deliver(await deviceSends(a, 'it ships tomorrow'));

  // Device D is linked: list 5 names it, its first list (L_D = 5).
  const env = seededEnv(`${seed}/late`, world.clock);
  const keys = await createDeviceKeys(env);
  const entry = await deviceEntryOf(
    keys,
    { agentId: new Uint8Array(16).fill(9), agentName: 'Ada', kind: 'pwa', role: 'owner' },
    world.list.accountId,
  );
  const v5 = nextVersion(v4, L_D, [...v4.devices, entry]);
  const late: Device = {
    keys,
    entry,
    env,
    prekeys: await createPrekeyState(keys, env, 2),
    list: v5,
    listedSince: L_D,
    state: null,
    shown: [],
    alerts: [],
  };
  devices.push(late);
  a.list = v5;
  b.list = v5;
  return { world, a, b, late, v5, deliver, deviceSends, visitorSends, visitorAlerts };
}

const kinds = (alerts: readonly SecurityAlert[]): string[] => alerts.map((x) => x.kind);
const textsOf = (shown: readonly ReleasedMessage[]): string[] =>
  shown.map((m) => (m.body.kind === 'text' ? m.body.text : m.body.kind));

describe('a device linked later, through the real protocol (L_D = 5)', () => {
  it('#15: the late device shows a sibling’s and the visitor’s next messages and raises no gap and no device-divergence', async () => {
    const { world, a, b, late, v5, deliver, deviceSends, visitorSends, visitorAlerts } =
      await lateWorld('late-linked-ok');
    // A sibling writes on list 5: its previous frame named list 4; its acks name frames on list 4.
    await deliver(await deviceSends(a, 'welcome, new phone'));
    expect(textsOf(late.shown)).toEqual(['welcome, new phone']);
    // The visitor learns list 5 (with the new device's bundle) and writes again.
    const bundle = prekeyBundleOf(late.prekeys, late.prekeys.oneTime[0]?.id);
    world.visitor.state = (await applyDeviceList(world.visitor.state, v5, [bundle], world.visitor.env)).state;
    await deliver(await visitorSends('is it really shipping?'));
    await deliver(await deviceSends(b, 'yes, tracking number follows'));
    expect(textsOf(late.shown)).toEqual([
      'welcome, new phone',
      'is it really shipping?',
      'yes, tracking number follows',
    ]);
    world.clock.advance(ORDER_LIMITS.reorderWindowMs * 2);
    if (late.state === null) throw new Error('the late device holds the conversation');
    const settled = tick(late.state, late.env);
    expect(kinds([...late.alerts, ...settled.alerts])).toEqual([]);
    expect(late.state.listedSince).toBe(L_D);
    // Nothing changes for the devices listed from the start, nor the visitor. (Their `rollback`:
    // this world's visitor made its first contacts on list 1 before moving to list 4, §5.4.)
    const falseAlarms = (alerts: readonly SecurityAlert[]) =>
      kinds(alerts).filter((k) => k === ALERT_KINDS.gap || k === ALERT_KINDS.deviceDivergence);
    for (const d of [a, b]) expect(falseAlarms(d.alerts)).toEqual([]);
    expect(falseAlarms(visitorAlerts)).toEqual([]);
    expect(kinds(visitorAlerts)).toEqual([]);
  });

  it('#15: a sibling frame on list 5 withheld from the late device is still a gap after the window', async () => {
    const { a, late, deliver, deviceSends, world } = await lateWorld('late-linked-gap');
    await deliver(await deviceSends(a, 'welcome, new phone'));
    await deliver(await deviceSends(a, 'withheld from the new phone'), late);
    await deliver(await deviceSends(a, 'and this one arrives'));
    expect(textsOf(late.shown)).toEqual(['welcome, new phone']);
    world.clock.advance(ORDER_LIMITS.reorderWindowMs);
    if (late.state === null) throw new Error('the late device holds the conversation');
    const due = tick(late.state, late.env);
    expect(kinds([...late.alerts, ...due.alerts])).toEqual([ALERT_KINDS.gap]);
    expect(textsOf(due.released)).toEqual(['and this one arrives']);
  });

  it('#15: a visitor message on list 5 withheld from the late device, acknowledged by a sibling, is a device-divergence', async () => {
    const { world, a, late, v5, deliver, deviceSends, visitorSends } = await lateWorld('late-linked-divergence');
    await deliver(await deviceSends(a, 'welcome, new phone'));
    const bundle = prekeyBundleOf(late.prekeys, late.prekeys.oneTime[0]?.id);
    world.visitor.state = (await applyDeviceList(world.visitor.state, v5, [bundle], world.visitor.env)).state;
    await deliver(await visitorSends('withheld from the new phone'), late);
    await deliver(await deviceSends(a, 'answered'));
    expect(kinds(late.alerts)).toEqual([]);
    world.clock.advance(ORDER_LIMITS.reorderWindowMs);
    if (late.state === null) throw new Error('the late device holds the conversation');
    expect(kinds(tick(late.state, late.env).alerts)).toEqual([ALERT_KINDS.deviceDivergence]);
  });
});
