/**
 * Security brief §4 "attachment chunk dropped or swapped" (F16). The file is sealed in chunks
 * under a per-file key; the reference (key, size, hash of the sealed chunks) travels inside an
 * authenticated conversation message, and the chunks are stored by the relay. Whatever the relay
 * does to the chunks, the recipient gets AttachmentTamperedError with the attachment-tampered
 * alert and no plaintext; the genuine chunks still open.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { constantTimeEqual } from '../../shared/crypto/bytes.js';
import { ALERT_KINDS } from '../../shared/protocol/alerts.js';
import { type AttachmentRef, chunkCountFor } from '../../shared/protocol/attachment-codec.js';
import { ATTACHMENT_FAILURES, AttachmentTamperedError } from '../../shared/protocol/attachment-errors.js';
import { openAttachment } from '../../shared/protocol/attachment-open.js';
import { sealAttachment } from '../../shared/protocol/attachment-seal.js';
import { AttachmentIntegrityError } from '../../shared/protocol/errors.js';
import { expectHonestRoundTrip } from '../support/honest-traffic.js';
import { ProtocolWorld } from '../support/protocol-world.js';
import { WorldConversation } from '../support/world-conversation.js';

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
  const r = sealed.ref;
  await convo.agentSendsBody('ada-laptop', {
    kind: 'attachment',
    id: r.attachmentId,
    key: r.fileKey,
    hash: r.ciphertextHash,
    size: r.size,
    name: r.fileName ?? '',
    mime: r.mediaType,
  });
  await convo.deliverToVisitor();
  // The visitor rebuilds the reference from the authenticated message it was shown.
  const shown = convo.visitor.shown.at(-1)?.body;
  if (shown?.kind !== 'attachment') throw new RangeError('no attachment message shown');
  const ref: AttachmentRef = {
    attachmentId: shown.id,
    fileKey: shown.key,
    size: shown.size,
    chunkCount: chunkCountFor(shown.size),
    ciphertextHash: shown.hash,
    mediaType: shown.mime,
    fileName: shown.name === '' ? undefined : shown.name,
  };
  return { world, convo, data, ref, other: other.chunks };
}

async function expectTampered(ref: AttachmentRef, chunks: readonly Uint8Array[], reason: string): Promise<void> {
  const error = await openAttachment(ref, chunks).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AttachmentTamperedError);
  expect(error).toBeInstanceOf(AttachmentIntegrityError);
  if (!(error instanceof AttachmentTamperedError)) return;
  expect(error.reason).toBe(reason);
  expect(error.alert.kind).toBe(ALERT_KINDS.attachmentTampered);
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
    await expectTampered(f.ref, f.world.relay.getAttachment(f.ref.attachmentId), ATTACHMENT_FAILURES.chunkAuth);
    await honestAfterwards(f);
  });

  it('F16: a chunk swapped in from another file is refused (attachment-tampered alert)', async () => {
    f.world.relay.attachmentHook = (chunks) => [chunks[0], f.other[1], chunks[2]].filter((c) => c !== undefined);
    await expectTampered(f.ref, f.world.relay.getAttachment(f.ref.attachmentId), ATTACHMENT_FAILURES.chunkAuth);
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
