/**
 * Security brief §4 "attachment chunk dropped or swapped" (F16), issue #17 item 6 and issue #9
 * item 7. The file is sealed in chunks under a per-file key, each chunk carrying the hash of the
 * next; the reference (key, size, h_0, media type, file name) travels inside an authenticated
 * conversation message, and the chunks are stored by the relay. Whatever the relay — or a
 * malicious sender with it — does to the chunks, each recipient refuses a chunk that does not
 * match its committed hash before decrypting it (AttachmentTamperedError, attachment-tampered
 * alert); the genuine chunks still open. A reference whose metadata breaks the rules of §8.2 is
 * refused where the message is accepted (InvalidContentError, invalid-content alert), never shown.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { concatBytes, constantTimeEqual } from '../../shared/crypto/index.js';
import {
  ALERT_KINDS,
  type AttachmentFailure,
  type AttachmentRef,
  ATTACHMENT_FAILURES,
  AttachmentTamperedError,
  openAttachment,
  sealAttachment,
  chunkCountFor,
  InvalidContentError,
} from '../../shared/protocol/index.js';
import { expectTampered as expectTamperedBy, replaying, showProgressively } from '../support/attachment-fixtures.js';
import { expectHonestRoundTrip } from '../support/honest-traffic.js';
import { ProtocolWorld } from '../support/protocol-world.js';
import { attachmentBodyBytes, visitorSendsRawBody } from '../support/malicious-sender.js';
import { alertKinds, WorldConversation } from '../support/world-conversation.js';

const FILE_BYTES = 150_000; // three chunks

/** The agent sends a file: chunks to the relay's blob store, the reference inside a message. */
async function sendFile(seed: string): Promise<{
  world: ProtocolWorld;
  convo: WorldConversation;
  data: Uint8Array;
  ref: AttachmentRef;
  other: readonly Uint8Array[];
}> {
  const world = await ProtocolWorld.create(seed);
  const convo = await WorldConversation.start(world, 'visitor');
  await expectHonestRoundTrip(convo, 'before-file');
  const env = world.newEnv('ada-laptop-files');
  const data = env.rng(FILE_BYTES);
  const sealed = await sealAttachment(env, data, { mediaType: 'application/pdf', fileName: 'invoice.pdf' });
  const other = await sealAttachment(env, env.rng(FILE_BYTES), { mediaType: 'application/pdf', fileName: 'other.pdf' });
  expect(sealed.chunks.length).toBe(3);
  world.relay.putAttachment(sealed.ref.attachmentId, sealed.chunks);
  await convo.agentSendsBody('ada-laptop', { kind: 'attachment', ref: sealed.ref });
  await convo.deliverToVisitor();
  // The visitor takes the reference from the authenticated message it was shown.
  const shown = convo.visitor.shown.at(-1)?.body;
  if (shown?.kind !== 'attachment') throw new RangeError('no attachment message shown');
  const ref = shown.ref;
  return { world, convo, data, ref, other: other.chunks };
}

async function expectTampered(
  ref: AttachmentRef,
  chunks: readonly Uint8Array[],
  reason: AttachmentFailure,
): Promise<void> {
  await expectTamperedBy(openAttachment(ref, chunks), reason);
}

/** The genuine chunks still open to the exact file once the relay serves them. */
async function honestAfterwards(f: { world: ProtocolWorld; data: Uint8Array; ref: AttachmentRef }): Promise<void> {
  f.world.relay.attachmentHook = undefined;
  const opened = await openAttachment(f.ref, f.world.relay.getAttachment(f.ref.attachmentId));
  expect(constantTimeEqual(opened, f.data)).toBe(true); // (toEqual on 150 KB is needlessly slow)
}

describe('attack: attachment chunk dropped or swapped (security brief §4)', () => {
  // One conversation and one file for the whole group (sealing is the slow part); each test resets the hook.
  let f: Awaited<ReturnType<typeof sendFile>>;
  beforeAll(async () => {
    f = await sendFile('attachment-attacks');
  });

  it('F16: a dropped middle chunk is refused (attachment-tampered alert, no plaintext)', async () => {
    f.world.relay.attachmentHook = (chunks) => [chunks[0], chunks[2]].filter((c) => c !== undefined);
    await expectTampered(f.ref, f.world.relay.getAttachment(f.ref.attachmentId), ATTACHMENT_FAILURES.missingChunks);
    await honestAfterwards(f);
  });

  it('F16: a truncated file (last chunk dropped) is refused (attachment-tampered alert)', async () => {
    f.world.relay.attachmentHook = (chunks) => chunks.slice(0, 2);
    await expectTampered(f.ref, f.world.relay.getAttachment(f.ref.attachmentId), ATTACHMENT_FAILURES.missingChunks);
    await honestAfterwards(f);
  });

  it('F16: two chunks swapped in place are refused (attachment-tampered alert)', async () => {
    f.world.relay.attachmentHook = (chunks) => [chunks[1], chunks[0], chunks[2]].filter((c) => c !== undefined);
    await expectTampered(f.ref, f.world.relay.getAttachment(f.ref.attachmentId), ATTACHMENT_FAILURES.hashMismatch);
    await honestAfterwards(f);
  });

  it('F16: a chunk swapped in from another file is refused (attachment-tampered alert)', async () => {
    f.world.relay.attachmentHook = (chunks) => [chunks[0], f.other[1], chunks[2]].filter((c) => c !== undefined);
    await expectTampered(f.ref, f.world.relay.getAttachment(f.ref.attachmentId), ATTACHMENT_FAILURES.hashMismatch);
    await honestAfterwards(f);
  });

  it('F16: a last chunk cut short by 16 bytes (its tag) is refused (attachment-tampered alert)', async () => {
    f.world.relay.attachmentHook = (chunks) => chunks.map((c, i) => (i === 2 ? c.subarray(0, c.length - 16) : c));
    await expectTampered(f.ref, f.world.relay.getAttachment(f.ref.attachmentId), ATTACHMENT_FAILURES.chunkSize);
    await honestAfterwards(f);
  });

  it('honest traffic continues in the conversation after every tampered download', async () => {
    await expectHonestRoundTrip(f.convo, 'after-attachment-attacks');
  });
});

// ---- #17.6: progressive display checks each chunk against the commitment before showing it ----

/** A copy of `data` with one byte changed at `offset`. */
function alteredAt(data: Uint8Array, offset: number): Uint8Array {
  const copy = new Uint8Array(data);
  copy[offset] = (copy[offset] ?? 0) ^ 0xff;
  return copy;
}

describe('attack: a malicious sender with the relay streams different chunks to different devices (#17.6, F16)', () => {
  it('#17.6: each device refuses the substituted chunk at that chunk, before showing it (hash-mismatch, attachment-tampered)', async () => {
    const world = await ProtocolWorld.create('attachment-equivocation');
    const convo = await WorldConversation.start(world, 'visitor');
    await expectHonestRoundTrip(convo, 'before-file');
    // The visitor (the malicious sender) seals the genuine file, then two variants under the SAME
    // attachment id and file key: variant A differs in chunk 1, variant B in chunk 2.
    const env = world.newEnv('visitor-files');
    const data = env.rng(FILE_BYTES);
    const genuine = await sealAttachment(env, data, { mediaType: 'application/pdf', fileName: 'contract.pdf' });
    const { attachmentId, fileKey } = genuine.ref;
    const variantA = await sealAttachment(replaying(env, attachmentId, fileKey), alteredAt(data, 70_000), {
      mediaType: 'application/pdf',
      fileName: 'contract.pdf',
    });
    const variantB = await sealAttachment(replaying(env, attachmentId, fileKey), alteredAt(data, 140_000), {
      mediaType: 'application/pdf',
      fileName: 'contract.pdf',
    });
    expect(genuine.chunks).toHaveLength(3);
    // Authentication under the file key alone would let the variants through: they open on their own.
    expect(constantTimeEqual(await openAttachment(variantA.ref, variantA.chunks), alteredAt(data, 70_000))).toBe(true);

    world.relay.putAttachment(attachmentId, genuine.chunks);
    await convo.visitorSendsBody({ kind: 'attachment', ref: genuine.ref });
    const refs = new Map<string, AttachmentRef>();
    for (const label of ['owner', 'ada-laptop', 'ada-phone']) {
      await convo.deliverToAgent(label);
      const shown = convo.agent(label).shown.at(-1)?.body;
      if (shown?.kind !== 'attachment') throw new RangeError(`${label} shows no attachment message`);
      refs.set(label, shown.ref);
    }
    const refOf = (label: string): AttachmentRef => {
      const ref = refs.get(label);
      if (ref === undefined) throw new RangeError(`no reference on ${label}`);
      return ref;
    };

    // The relay serves each device its own stream.
    const streams: Record<string, readonly Uint8Array[]> = {
      owner: genuine.chunks,
      'ada-laptop': [genuine.chunks, variantA.chunks, variantA.chunks].map((c, i) => c[i] ?? new Uint8Array(0)),
      'ada-phone': [genuine.chunks, genuine.chunks, variantB.chunks].map((c, i) => c[i] ?? new Uint8Array(0)),
    };
    const refusedAt: Record<string, number> = { 'ada-laptop': 1, 'ada-phone': 2 };
    for (const [label, stream] of Object.entries(streams)) {
      world.relay.attachmentHook = () => stream;
      const { shown, error } = await showProgressively(refOf(label), world.relay.getAttachment(attachmentId));
      const at = refusedAt[label];
      if (at === undefined) {
        expect(error).toBeUndefined();
        expect(constantTimeEqual(concatBytes(...shown), data)).toBe(true);
        continue;
      }
      expect(error, label).toBeInstanceOf(AttachmentTamperedError);
      if (!(error instanceof AttachmentTamperedError)) continue;
      expect(error.reason).toBe(ATTACHMENT_FAILURES.hashMismatch);
      expect(error.chunkIndex).toBe(at);
      expect(error.alert.kind).toBe(ALERT_KINDS.attachmentTampered);
      // Only the genuine chunks before the substituted one were shown; nothing of that chunk.
      expect(shown).toHaveLength(at);
      expect(constantTimeEqual(concatBytes(...shown), data.subarray(0, concatBytes(...shown).length))).toBe(true);
    }
    world.relay.attachmentHook = undefined;
    await expectHonestRoundTrip(convo, 'after-substituted-chunks');
  });
});

// ---- #9.7: attachment metadata is checked where the frame is accepted --------------------------

describe('attack: a malicious sender puts metadata that breaks the rules in an attachment message (#9.7)', () => {
  const cases: readonly (readonly [string, Partial<AttachmentRef>, RegExp])[] = [
    [
      '#9.7: a file name with a right-to-left override is refused at acceptance (invalid-content), never shown; honest traffic continues',
      { fileName: 'invoice\u202Efdp.exe' },
      /file name: display name rejected: it contains a bidirectional control character/,
    ],
    [
      '#9.7: a 1 TiB size is refused at acceptance (invalid-content), never shown; honest traffic continues',
      { size: 2 ** 40, chunkCount: chunkCountFor(2 ** 40) },
      /size 1099511627776 exceeds the cap of 104857600 bytes/,
    ],
    [
      '#9.7: a media type that is not one is refused at acceptance (invalid-content), never shown; honest traffic continues',
      { mediaType: 'not a media type' },
      /media type is not of the form type "\/" subtype/,
    ],
  ];
  it.each(cases)('%s', async (_name, patch, rule) => {
    const world = await ProtocolWorld.create(`attachment-content-${JSON.stringify(patch).length}`);
    const convo = await WorldConversation.start(world, 'visitor');
    await expectHonestRoundTrip(convo, 'before-file');
    await convo.deliverAll(); // the siblings' copies of the answer
    const env = world.newEnv('visitor-files');
    const { ref } = await sealAttachment(env, env.rng(1000), { mediaType: 'application/pdf', fileName: 'invoice.pdf' });
    await visitorSendsRawBody(convo, attachmentBodyBytes({ ...ref, ...patch }));
    for (const label of ['owner', 'ada-laptop', 'ada-phone']) {
      const outcomes = await convo.deliverToAgent(label);
      expect(outcomes).toHaveLength(1);
      const outcome = outcomes[0];
      if (outcome === undefined || outcome.ok) throw new RangeError(`${label} accepted the attachment message`);
      expect(outcome.error).toBeInstanceOf(InvalidContentError);
      expect(outcome.error.message).toMatch(rule);
      expect(outcome.error.message).not.toContain('fdp.exe');
      expect(outcome.alert?.kind).toBe(ALERT_KINDS.invalidContent);
      expect(convo.agent(label).shown.map((m) => m.body.kind)).not.toContain('attachment');
    }
    await expectHonestRoundTrip(convo, 'after-bad-attachment');
    for (const label of ['owner', 'ada-laptop', 'ada-phone']) {
      expect(alertKinds(convo.agent(label))).toEqual([ALERT_KINDS.invalidContent]);
    }
  });
});
