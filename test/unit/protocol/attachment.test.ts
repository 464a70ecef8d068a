import { describe, expect, it } from 'vitest';
import { DecodeError, LimitError, UsageError } from '../../../shared/errors/index.js';
import {
  ATTACHMENT_LIMITS,
  type AttachmentRef,
  attachmentRefCodec,
  chunkCountFor,
  ATTACHMENT_FAILURES,
  type AttachmentTamperedError,
  sealAttachment,
  InvalidContentError,
} from '../../../shared/protocol/index.js';
import {
  attachmentChunkKeys,
  openAttachment,
  openAttachmentBlob,
  openAttachmentChunk,
} from '../../../shared/protocol/attachment/attachment-open.js';
import { padmeLength } from '../../../shared/protocol/attachment/attachment-padding.js';
import { concatBytes } from '../../../shared/crypto/index.js';
import { decode, encode } from '../../../shared/wire/index.js';
import { expectTampered, fileOf, showProgressively } from '../../support/attachment-fixtures.js';
import { hashSeededEnv } from '../../support/hash-seeded-env.js';

const CHUNK = ATTACHMENT_LIMITS.chunkPayloadBytes;

/** Fast byte equality (vitest's deep equality is slow on large arrays). */
function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

async function threeChunkFile() {
  const env = hashSeededEnv('attachment');
  const data = fileOf(2 * CHUNK + 1000);
  const sealed = await sealAttachment(env, data, { mediaType: 'application/pdf', fileName: 'report.pdf' });
  return { env, data, ...sealed };
}

describe('attachments: round trip', () => {
  it.each([0, 1, 100, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 17, 4_194_305])('opens a %i-byte file', async (size) => {
    const env = hashSeededEnv(`size-${size}`);
    const data = fileOf(size);
    const { ref, chunks } = await sealAttachment(env, data, { mediaType: 'image/png' });
    expect(chunks.length).toBe(chunkCountFor(size));
    expect(ref.chunkCount).toBe(chunks.length);
    expect(same(await openAttachment(ref, chunks), data)).toBe(true);
    expect(same(await openAttachmentBlob(ref, concatBytes(...chunks)), data)).toBe(true);
  });

  it('reports progress per chunk on both sides', async () => {
    const { ref, chunks } = await threeChunkFile();
    const seen: string[] = [];
    await openAttachment(ref, chunks, (done, total) => seen.push(`${done}/${total}`));
    expect(seen).toEqual(['1/3', '2/3', '3/3']);
  });

  it('opens chunks one by one for progressive display, each handing on the next hash', async () => {
    const { ref, chunks, data } = await threeChunkFile();
    const { shown, error, nextHash } = await showProgressively(ref, chunks);
    expect(error).toBeUndefined();
    expect(same(shown[0] ?? new Uint8Array(0), data.subarray(0, CHUNK))).toBe(true);
    expect(same(concatBytes(...shown), data)).toBe(true); // padding removed from the last chunk's data
    expect(nextHash).toEqual(new Uint8Array(32)); // h_n: the chain ends in 32 zero bytes
  });

  it('uses a fresh key and id per file (same content, unrelated ciphertexts)', async () => {
    const env = hashSeededEnv('fresh');
    const data = fileOf(5000);
    const a = await sealAttachment(env, data, { mediaType: 'text/plain' });
    const b = await sealAttachment(env, data, { mediaType: 'text/plain' });
    expect(a.ref.fileKey).not.toEqual(b.ref.fileKey);
    expect(a.ref.attachmentId).not.toEqual(b.ref.attachmentId);
    expect(same(a.chunks[0] ?? new Uint8Array(0), b.chunks[0] ?? new Uint8Array(0))).toBe(false);
  });

  it('the reference encodes and decodes (it travels inside the ratchet-encrypted message)', async () => {
    const { ref } = await threeChunkFile();
    const decoded = decode(attachmentRefCodec, encode(attachmentRefCodec, ref));
    expect(decoded).toEqual(ref);
  });
});

describe('attachments: F16 tampering by the relay', () => {
  it('F16: a dropped middle chunk is detected (missing-chunks, attachmentTampered alert)', async () => {
    const { ref, chunks } = await threeChunkFile();
    await expectTampered(
      openAttachment(
        ref,
        [chunks[0], chunks[2]].filter((c) => c !== undefined),
      ),
      ATTACHMENT_FAILURES.missingChunks,
    );
  });

  it('F16: a truncated file (last chunk missing) is detected', async () => {
    const { ref, chunks } = await threeChunkFile();
    await expectTampered(openAttachment(ref, chunks.slice(0, 2)), ATTACHMENT_FAILURES.missingChunks);
    await expectTampered(
      openAttachmentBlob(ref, concatBytes(...chunks.slice(0, 2))),
      ATTACHMENT_FAILURES.missingChunks,
    );
  });

  it('F16: a last chunk cut short is detected (chunk-size)', async () => {
    const { ref, chunks } = await threeChunkFile();
    const cut = [...chunks.slice(0, 2), (chunks[2] ?? new Uint8Array(0)).subarray(0, 100)];
    await expectTampered(openAttachment(ref, cut), ATTACHMENT_FAILURES.chunkSize);
    const blob = concatBytes(...chunks);
    await expectTampered(openAttachmentBlob(ref, blob.subarray(0, blob.length - 1)), ATTACHMENT_FAILURES.missingChunks);
  });

  it('F16: reordered chunks are detected (hash-mismatch: the index is in the chunk hash, the IV and the AAD)', async () => {
    const { ref, chunks } = await threeChunkFile();
    const reordered = [chunks[1], chunks[0], chunks[2]].filter((c) => c !== undefined);
    await expectTampered(openAttachment(ref, reordered), ATTACHMENT_FAILURES.hashMismatch);
    await expectTampered(openAttachmentBlob(ref, concatBytes(...reordered)), ATTACHMENT_FAILURES.hashMismatch);
  });

  it('F16: a chunk swapped in from another file is detected (hash-mismatch)', async () => {
    const { env, ref, chunks } = await threeChunkFile();
    const other = await sealAttachment(env, fileOf(2 * CHUNK + 1000, 99), { mediaType: 'application/pdf' });
    const swapped = [chunks[0], other.chunks[1], chunks[2]].filter((c) => c !== undefined);
    await expectTampered(openAttachment(ref, swapped), ATTACHMENT_FAILURES.hashMismatch);
  });

  it('F16: an extra chunk or trailing bytes are detected', async () => {
    const { ref, chunks } = await threeChunkFile();
    await expectTampered(
      openAttachment(ref, [...chunks, chunks[0] ?? new Uint8Array(0)]),
      ATTACHMENT_FAILURES.extraChunks,
    );
    await expectTampered(
      openAttachmentBlob(ref, concatBytes(...chunks, new Uint8Array(1))),
      ATTACHMENT_FAILURES.extraChunks,
    );
  });

  it('F16: a flipped bit in any chunk is detected (hash-mismatch, before decryption)', async () => {
    const { ref, chunks } = await threeChunkFile();
    for (let i = 0; i < chunks.length; i++) {
      const copy = chunks.map((c) => new Uint8Array(c));
      const target = copy[i] ?? new Uint8Array(0);
      target[5] = (target[5] ?? 0) ^ 0x10;
      await expectTampered(openAttachment(ref, copy), ATTACHMENT_FAILURES.hashMismatch);
    }
  });

  it('F16: a hash mismatch between the message and the stored chunks is detected', async () => {
    const { ref, chunks } = await threeChunkFile();
    const wrongHash = new Uint8Array(ref.firstChunkHash);
    wrongHash[0] = (wrongHash[0] ?? 0) ^ 1;
    await expectTampered(
      openAttachment({ ...ref, firstChunkHash: wrongHash }, chunks),
      ATTACHMENT_FAILURES.hashMismatch,
    );
  });

  it('F16: a prefix of the chunks cannot pass as a complete shorter file (count and last flag in the AAD)', async () => {
    const { ref, chunks } = await threeChunkFile();
    // A reference (wrongly) announcing a two-chunk file that starts with the same chunk: its hash
    // matches, but the chunk was sealed for a count of 3, so it does not authenticate.
    const shorter: AttachmentRef = { ...ref, size: CHUNK + 1000, chunkCount: chunkCountFor(CHUNK + 1000) };
    expect(shorter.chunkCount).toBe(2);
    const keys = await attachmentChunkKeys(shorter);
    await expectTampered(
      openAttachmentChunk(keys, shorter, 0, chunks[0] ?? new Uint8Array(0), ref.firstChunkHash),
      ATTACHMENT_FAILURES.chunkAuth,
    );
  });

  it('F16: the alert and the error message carry no key or content', async () => {
    const { ref, chunks } = await threeChunkFile();
    const error = await openAttachment(ref, chunks.slice(0, 1)).catch((e: unknown) => e);
    const text = `${String(error)} ${JSON.stringify((error as AttachmentTamperedError).alert)}`;
    expect(text).not.toContain(Buffer.from(ref.fileKey).toString('hex'));
    expect(text).toMatch(/missing-chunks/);
  });
});

describe('attachments: size leak and limits', () => {
  it('F16: sizes are padded (Padmé): nearby sizes give the same ciphertext length', async () => {
    const env = hashSeededEnv('padme');
    const a = await sealAttachment(env, fileOf(100_001), { mediaType: 'image/jpeg' });
    const b = await sealAttachment(env, fileOf(100_300), { mediaType: 'image/jpeg' });
    expect(concatBytes(...a.chunks).length).toBe(concatBytes(...b.chunks).length);
    expect(same(await openAttachment(b.ref, b.chunks), fileOf(100_300))).toBe(true);
  });

  it('Padmé keeps the overhead under 12% and never shrinks', () => {
    for (const n of [0, 1, 2, 3, 9, 100, 1000, 65_537, 1_000_000, ATTACHMENT_LIMITS.maxBytes]) {
      const p = padmeLength(n);
      expect(p).toBeGreaterThanOrEqual(n);
      expect(p).toBeLessThanOrEqual(Math.max(n * 1.12, n + 1));
    }
    expect(ATTACHMENT_LIMITS.maxChunks).toBe(chunkCountFor(ATTACHMENT_LIMITS.maxBytes));
  });

  it('refuses files past the cap (LimitError) before encrypting anything', async () => {
    const env = hashSeededEnv('cap');
    const tooBig = new Uint8Array(ATTACHMENT_LIMITS.maxBytes + 1);
    await expect(sealAttachment(env, tooBig, { mediaType: 'video/mp4' })).rejects.toBeInstanceOf(LimitError);
  });

  it('refuses a malformed media type or a spoofing file name (UsageError)', async () => {
    const env = hashSeededEnv('meta');
    await expect(sealAttachment(env, fileOf(10), { mediaType: 'not a type' })).rejects.toBeInstanceOf(UsageError);
    await expect(
      sealAttachment(env, fileOf(10), { mediaType: 'text/plain', fileName: 'invoice\u202Efdp.exe' }),
    ).rejects.toBeInstanceOf(UsageError);
    await expect(
      sealAttachment(env, fileOf(10), { mediaType: 'text/plain', fileName: '../etc/passwd' }),
    ).rejects.toBeInstanceOf(UsageError);
  });

  it('a decoded reference must be self-consistent (DecodeError)', async () => {
    const { ref } = await threeChunkFile();
    const bytes = encode(attachmentRefCodec, ref);
    const badCount = new Uint8Array(bytes);
    // chunkCount follows version, suite, id (16), key (32), size (8).
    badCount[2 + 16 + 32 + 8 + 3] = 9;
    expect(() => decode(attachmentRefCodec, badCount)).toThrow(InvalidContentError);
    expect(() => decode(attachmentRefCodec, badCount)).toThrow(DecodeError);
    expect(() => decode(attachmentRefCodec, bytes.subarray(0, bytes.length - 1))).toThrow(DecodeError);
    const v9 = new Uint8Array(bytes);
    v9[0] = 9;
    expect(() => decode(attachmentRefCodec, v9)).toThrow(DecodeError);
  });
});
