/**
 * Fuzzing every decoder a client applies to relay-supplied bytes (issue #16 item 5): real
 * encodings from the seeded test worlds (test/support/protocol-world.ts for device lists, bundles
 * and rotations; relayless-world for packets; the linking flow for linking messages and archive
 * grants), each mutated 10,000 times (test/fuzz/support/mutate.ts). A decoder may only refuse with
 * a typed SealdeskError, never a TypeError/RangeError or other crash, never hang, and never accept
 * a mutated signed or authenticated structure. The seed is printed; SEALDESK_FUZZ_SEED replays.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { SealdeskError } from '../../shared/errors/index.js';
import {
  type DeviceEntry,
  type OutgoingPacket,
  type PrekeyBundle,
  SEALED_BOX_PURPOSES,
  createAccountIdentity,
  createRotation,
  createDirectoryView,
  createRotatedAccountIdentity,
  decodePrekeyBundle,
  decodeSignedDeviceList,
  decodeSignedRotation,
  encodePrekeyBundle,
  encodeSignedDeviceList,
  encodeSignedRotation,
  existingDeviceConfirmCode,
  existingDeviceReceiveHello,
  LINK_PHASES,
  newDeviceConfirmCode,
  newDeviceReceiveGrant,
  newDeviceReceiveOffer,
  openAgentConversation,
  openAttachmentBlob,
  openHistoryRecord,
  openSealedBox,
  prekeyBundleOf,
  receiveAsAgent,
  receiveDeviceList,
  receiveMessage,
  receiveRotation,
  sealAttachment,
  sealHistoryRecord,
  signWidgetConfig,
  verifyPrekeyBundle,
  verifyWidgetConfig,
  attachmentRefCodec,
  linkPayloadCodec,
  startNewDeviceLink,
} from '../../shared/protocol/index.js';
import {
  decode,
  decodeEnvelope,
  decodeRelayFrame,
  encode,
  encodeEnvelope,
  encodeRelayFrame,
  asCiphertext,
} from '../../shared/wire/index.js';
import { decodeRelayFrameFast } from '../../shared/transport/index.js';
import { ProtocolWorld } from '../support/protocol-world.js';
import { agentSends, relaylessWorld, deliverAll, visitorSends } from '../support/relayless-world.js';
import { linkingWorld } from '../support/linking-flow.js';
import { snapshot } from '../support/state-snapshot.js';
import { caseRng, fuzzSeed, mutate, sameBytes, hex } from './support/mutate.js';

const CASES = 10_000;
/** A decoder that takes longer than this on one input counts as a hang. */
const HANG_MS = 2_000;

/** What a decoder did with one input: accepted it (for a signed structure, a failure if mutated) or refused it. */
type Outcome = 'accepted' | 'refused';
const ACCEPTED: Outcome = 'accepted';

interface Target {
  readonly name: string;
  readonly corpus: readonly Uint8Array[];
  /** True when the structure is signed or authenticated: no mutation may be accepted. */
  readonly authenticated: boolean;
  /** Runs the client's decoder; a typed refusal may be thrown or returned. */
  readonly run: (bytes: Uint8Array) => Promise<Outcome> | Outcome;
}

const seed = fuzzSeed('client decoders');

async function withDeadline<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, fail) => {
    timer = setTimeout(() => {
      fail(new Error(`hang: ${what} took over ${HANG_MS} ms`));
    }, HANG_MS);
  });
  try {
    return await Promise.race([work, hang]);
  } finally {
    clearTimeout(timer);
  }
}

/** Fuzzes one target; returns the failures (at most 10 kept) and the tallies. */
async function fuzz(target: Target, index: number): Promise<{ failures: string[]; tally: Record<string, number> }> {
  const failures: string[] = [];
  const tally: Record<string, number> = {};
  // Sanity: every corpus entry, unmutated, is accepted: a decoder that refuses everything would pass vacuously.
  for (const original of target.corpus) {
    const outcome = await target.run(original);
    if (outcome !== 'accepted') failures.push(`${target.name}: an honest encoding was refused`);
  }
  for (let i = 0; i < CASES; i++) {
    const rng = caseRng(seed + index * 0x10001, i);
    const original = rng.pick(target.corpus);
    const { bytes, steps } = mutate(rng, original, target.corpus);
    const what = `${target.name} case ${i} (${steps.join('+')}) ${hex(bytes).slice(0, 64)}`;
    let outcome: Outcome;
    const began = Date.now();
    try {
      outcome = await withDeadline(
        Promise.resolve().then(() => target.run(bytes)),
        what,
      );
      // A synchronous loop would block the deadline's timer: the elapsed time catches it afterwards.
      if (Date.now() - began > HANG_MS && failures.length < 10) failures.push(`${what}: took ${Date.now() - began} ms`);
    } catch (error) {
      if (error instanceof SealdeskError) {
        tally[error.name] = (tally[error.name] ?? 0) + 1;
        if (Date.now() - began > HANG_MS && failures.length < 10)
          failures.push(`${what}: took ${Date.now() - began} ms`);
        continue;
      }
      if (failures.length < 10)
        failures.push(`${what}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
      continue;
    }
    tally[outcome] = (tally[outcome] ?? 0) + 1;
    if (
      outcome === 'accepted' &&
      target.authenticated &&
      !target.corpus.some((c) => sameBytes(c, bytes)) &&
      failures.length < 10
    )
      failures.push(`${what}: a mutated authenticated structure was accepted`);
  }
  return { failures, tally };
}

describe("#16.5: fuzzing the clients' decoders of relay-supplied bytes", () => {
  const targets: Target[] = [];

  beforeAll(async () => {
    // Device lists, rotations and prekey bundles of a ProtocolWorld.
    const world = await ProtocolWorld.create('fuzz-decoders');
    await world.addDevice({ label: 'bo-laptop', agent: 'bo', agentName: 'Bo', role: 'agent', kind: 'extension' });
    const lists = world.lists.map((l) => encodeSignedDeviceList(l));
    targets.push({
      name: 'signed device list (visitor view from the pin, PROTOCOL §4)',
      corpus: lists,
      authenticated: true,
      run: async (bytes) => {
        const update = await receiveDeviceList(
          createDirectoryView(world.pin),
          decodeSignedDeviceList(bytes),
          world.newEnv('v'),
        );
        if (update.rejected !== undefined) throw update.rejected;
        return ACCEPTED;
      },
    });
    const owner = world.device('owner');
    const devices: DeviceEntry[] = [...world.devices.values()].map((d) => d.entry);
    const bundles = [...world.devices.values()].flatMap((d) => [
      prekeyBundleOf(d.prekeys, 1),
      prekeyBundleOf(d.prekeys),
    ]);
    const signedPart = (b: PrekeyBundle): string =>
      hex(new Uint8Array([...b.deviceId, ...b.signedPrekey, ...b.signedPrekeySignature])) +
      `/${b.signedPrekeyId}/${b.signedPrekeyCreatedAt}`;
    const honestSigned = new Set(bundles.map(signedPart));
    targets.push({
      name: 'prekey bundle (PROTOCOL §3.3)',
      corpus: bundles.map((b) => encodePrekeyBundle(b)),
      // The one-time prekey is not signed (X3DH); the signed part is checked below.
      authenticated: false,
      run: async (bytes) => {
        const bundle = decodePrekeyBundle(bytes);
        const device = devices.find((d) => sameBytes(d.deviceId, bundle.deviceId)) ?? owner.entry;
        await verifyPrekeyBundle(bundle, device, world.clock.now());
        if (!honestSigned.has(signedPart(bundle))) throw new Error('a bundle with a mutated signed part was accepted');
        return ACCEPTED;
      },
    });
    const fresh = await createRotatedAccountIdentity(world.account.accountId, world.newEnv('rotation'));
    const rotation = await createRotation(
      world.currentSigned,
      fresh.identity,
      { kind: 'account-key', identity: world.account },
      world.newEnv('r'),
    );
    const ownerView = owner.view;
    const rotationEnv = world.newEnv('rotation-receiver');
    targets.push({
      name: 'account key rotation (PROTOCOL §4.5)',
      corpus: [encodeSignedRotation(rotation)],
      authenticated: true,
      run: async (bytes) => {
        const update = await receiveRotation(ownerView, decodeSignedRotation(bytes), rotationEnv);
        if (update.rejected !== undefined) throw update.rejected;
        return ACCEPTED;
      },
    });

    // Conversation packets (and the envelopes and relay frames that carry them).
    const conv = await relaylessWorld('fuzz-packets', 1);
    const agent = conv.agents[0];
    if (agent === undefined) throw new Error('no agent');
    const initial = (await visitorSends(conv, { kind: 'text', text: 'first contact' }))[0];
    if (initial === undefined) throw new Error('no packet');
    const context = { device: agent.keys, prekeys: agent.prekeys, deviceList: conv.list };
    targets.push({
      name: 'first-contact packet (agent, PROTOCOL §5-§7)',
      corpus: [initial.body],
      authenticated: true,
      run: async (bytes) => {
        await openAgentConversation(bytes, context, agent.env);
        return ACCEPTED;
      },
    });
    await deliverAll(conv, [initial]);
    const toAgent = (await visitorSends(conv, { kind: 'text', text: 'a second message' }))[0];
    const reply = (await agentSends(conv, agent, { kind: 'text', text: 'a signed reply' })).find(
      (p) => p.recipient.kind === 'visitor',
    );
    if (toAgent === undefined || reply === undefined) throw new Error('no packets');
    const agentState = agent.state;
    if (agentState === null) throw new Error('no agent state');
    const agentBefore = snapshot([agent.state, agent.prekeys]);
    const visitorBefore = snapshot(conv.visitor.state);
    targets.push({
      name: 'conversation packet (agent side)',
      corpus: [toAgent.body],
      authenticated: true,
      run: async (bytes) => {
        await receiveAsAgent(agentState, bytes, { ...context, prekeys: agent.prekeys }, agent.env);
        return ACCEPTED;
      },
    });
    targets.push({
      name: 'conversation packet (visitor side)',
      corpus: [reply.body],
      authenticated: true,
      run: async (bytes) => {
        await receiveMessage(conv.visitor.state, bytes, conv.visitor.env);
        return ACCEPTED;
      },
    });
    const packets: OutgoingPacket[] = [initial, toAgent, reply];
    const envelopes = packets.map((p) =>
      encodeEnvelope({
        conversationId: conv.visitor.state.conversationId,
        recipient: p.recipient,
        body: asCiphertext(p.body),
      }),
    );
    targets.push({
      name: 'envelope (PROTOCOL §2.6)',
      corpus: envelopes,
      authenticated: false,
      run: (bytes) => {
        decodeEnvelope(bytes);
        return ACCEPTED;
      },
    });
    const frames = [
      encodeRelayFrame({ type: 'challenge', challenge: new Uint8Array(32).fill(7) }),
      encodeRelayFrame({ type: 'stored', requestId: 3, cursor: 12 }),
      encodeRelayFrame({ type: 'error', requestId: 4, code: 10 }),
      ...envelopes.map((envelope, i) => encodeRelayFrame({ type: 'deliver', cursor: 100 + i, envelope })),
    ];
    for (const [name, decodeFrame] of [
      ['relay frame (PROTOCOL §16.3)', decodeRelayFrame],
      ['relay frame, fast path (shared/transport/ws, what the client runs)', decodeRelayFrameFast],
    ] as const) {
      targets.push({
        name,
        corpus: frames,
        authenticated: false,
        run: (bytes) => {
          decodeFrame(bytes);
          return ACCEPTED;
        },
      });
    }

    // Attachments: the blob the relay serves, opened with the reference from the (authenticated) message.
    const sealed = await sealAttachment(world.newEnv('attachment'), new Uint8Array(150_000).fill(42), {
      mediaType: 'application/pdf',
      fileName: 'invoice.pdf',
    });
    const blob = new Uint8Array(sealed.chunks.reduce((n, c) => n + c.length, 0));
    sealed.chunks.reduce((at, c) => (blob.set(c, at), at + c.length), 0);
    targets.push({
      name: 'attachment blob and chunks (PROTOCOL §8)',
      corpus: [blob],
      authenticated: true,
      run: async (bytes) => {
        await openAttachmentBlob(sealed.ref, bytes);
        return ACCEPTED;
      },
    });
    const refBytes = encode(attachmentRefCodec, sealed.ref);
    targets.push({
      name: 'attachment reference (PROTOCOL §8.2)',
      corpus: [refBytes],
      authenticated: false,
      run: (bytes) => {
        decode(attachmentRefCodec, bytes, 'attachmentRef');
        return ACCEPTED;
      },
    });

    // Linking messages and archive grants/records, from a real linking flow.
    const link = await linkingWorld('fuzz-linking');
    const e2 = await existingDeviceReceiveHello(link.e1.state, link.env, link.n1.hello);
    const n2 = await newDeviceReceiveOffer(link.n1.state, link.env, e2.offer);
    const n3 = newDeviceConfirmCode(n2.state, link.env, true);
    const e3 = await existingDeviceConfirmCode(e2.state, link.env, {
      codesMatch: true,
      profile: link.profile,
      self: link.owner.keys,
      keyring: link.keyring,
    });
    const release = e3.release;
    if (release === undefined) throw new Error('no release');
    const progressed = (phase: string, from: string): Outcome =>
      phase === from || phase === LINK_PHASES.aborted ? 'refused' : 'accepted';
    targets.push({
      name: 'link payload (QR, PROTOCOL §9.3)',
      corpus: [link.e1.payload],
      authenticated: false,
      run: async (bytes) => {
        decode(linkPayloadCodec, bytes, 'linkPayload');
        await startNewDeviceLink(link.env, bytes, link.newKeys, 'pwa');
        return ACCEPTED;
      },
    });
    targets.push({
      name: 'link hello (existing device)',
      corpus: [link.n1.hello],
      // Not signed: a changed hello changes the 6-digit code the person compares (PROTOCOL §9.3).
      authenticated: false,
      run: async (bytes) => {
        const step = await existingDeviceReceiveHello(link.e1.state, link.env, bytes);
        return progressed(step.state.phase, LINK_PHASES.awaitingHello);
      },
    });
    targets.push({
      name: 'link offer (new device)',
      corpus: [e2.offer],
      authenticated: true,
      run: async (bytes) => {
        const step = await newDeviceReceiveOffer(link.n1.state, link.env, bytes);
        return progressed(step.state.phase, LINK_PHASES.awaitingOffer);
      },
    });
    targets.push({
      name: 'link grant (new device)',
      corpus: [release.grant],
      authenticated: true,
      run: async (bytes) => {
        const step = await newDeviceReceiveGrant(n3.state, link.env, bytes);
        return progressed(step.state.phase, LINK_PHASES.confirmed);
      },
    });
    const grants = release.archiveGrants.map((g) => g.sealed);
    const ownerSender = { deviceId: link.owner.keys.deviceId, signingKey: link.owner.keys.signing.publicKey };
    targets.push({
      name: 'archive key grant (sealed box, PROTOCOL §9.4)',
      corpus: grants,
      authenticated: true,
      run: async (bytes) => {
        await openSealedBox(bytes, link.newKeys, SEALED_BOX_PURPOSES.archiveKeys, [ownerSender]);
        return ACCEPTED;
      },
    });
    const recordId = new TextEncoder().encode('record-0001');
    const { keyring, record } = await sealHistoryRecord(
      link.keyring,
      link.env,
      link.owner.keys,
      recordId,
      new TextEncoder().encode('an archived message'),
    );
    targets.push({
      name: 'archive history record (PROTOCOL §9.5)',
      corpus: [record],
      authenticated: true,
      run: async (bytes) => {
        await openHistoryRecord(keyring, recordId, bytes);
        return ACCEPTED;
      },
    });

    // The widget configuration (PROTOCOL §19).
    const business = await createAccountIdentity(world.newEnv('widget'));
    const config = await signWidgetConfig(
      {
        businessName: 'Harbour Dental Clinic',
        greeting: 'Ask us about appointments.',
        colour: '#1d4fc4',
        position: 'bottom-left',
        language: 'en-GB',
        expectedReplyMinutes: 45,
        businessHours: [{ day: 1, from: 9 * 60, to: 18 * 60 }],
        timeZone: 'Europe/London',
        prechatQuestion: 'What is your booking reference?',
      },
      2,
      business.identity,
      world.newEnv('widget-sign'),
    );
    const who = { accountId: business.identity.accountId, accountKey: business.identity.signing.publicKey };
    targets.push({
      name: 'widget configuration (PROTOCOL §19)',
      corpus: [config],
      authenticated: true,
      run: async (bytes) => {
        await verifyWidgetConfig(bytes, who);
        return ACCEPTED;
      },
    });

    // The receivers' states must not have been changed by any of it (checked at the end).
    afterChecks.push(() => {
      expect(snapshot([agent.state, agent.prekeys])).toBe(agentBefore);
      expect(snapshot(conv.visitor.state)).toBe(visitorBefore);
    });
  }, 120_000);

  const afterChecks: (() => void)[] = [];
  const NAMES = [
    'signed device list',
    'prekey bundle',
    'account key rotation',
    'first-contact packet',
    'conversation packet (agent side)',
    'conversation packet (visitor side)',
    'envelope',
    'relay frame (PROTOCOL',
    'relay frame, fast path',
    'attachment blob',
    'attachment reference',
    'link payload',
    'link hello',
    'link offer',
    'link grant',
    'archive key grant',
    'archive history record',
    'widget configuration',
  ];
  NAMES.forEach((prefix, index) => {
    it(`${prefix}: ${CASES} mutations, typed refusals only`, async () => {
      const target = targets.find((t) => t.name.startsWith(prefix));
      if (target === undefined) throw new Error(`no target ${prefix}`);
      const started = Date.now();
      const { failures, tally } = await fuzz(target, index);
      console.log(
        `[fuzz] ${target.name}: ${CASES} cases in ${((Date.now() - started) / 1000).toFixed(1)} s (seed ${seed}); ${JSON.stringify(tally)}`,
      );
      expect(failures).toEqual([]);
      // Most mutations must be refused.
      expect(tally['accepted'] ?? 0).toBeLessThan(CASES / 2);
    }, 300_000);
  });

  it("left the receivers' conversation and prekey state unchanged", () => {
    expect(afterChecks.length).toBe(1);
    for (const check of afterChecks) check();
  });
});
