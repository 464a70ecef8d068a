/**
 * The inverted hash chain over sealed attachment chunks (docs/PROTOCOL.md §8.3–§8.4; issue #17
 * item 6): the layout as the spec states it, recomputed here from the primitives, and the checks a
 * progressive viewer relies on (the hash before decryption, the end of the chain, padding).
 */
import { describe, expect, it } from 'vitest';
import { aesGcmDecrypt, aesGcmEncrypt, concatBytes, sha256, utf8Encode } from '../../../shared/crypto/index.js';
import { InvalidKeyError, UsageError } from '../../../shared/errors/index.js';
import {
  ATTACHMENT_FAILURES,
  ATTACHMENT_LIMITS,
  type AttachmentRef,
  attachmentChunkKeys,
  chunkCountFor,
  openAttachment,
  openAttachmentBlob,
  openAttachmentChunk,
  sealAttachment,
} from '../../../shared/protocol/index.js';
import { chunkHash } from '../../../shared/protocol/attachment/attachment-chain.js';
import { chunkAad, chunkIv, deriveAttachmentChunkKeys } from '../../../shared/protocol/attachment/attachment-keys.js';
import { padmeLength } from '../../../shared/protocol/attachment/attachment-padding.js';
import { expectTampered, fileOf, replaying } from '../../support/attachment-fixtures.js';
import { hashSeededEnv } from '../../support/hash-seeded-env.js';

const PAYLOAD = ATTACHMENT_LIMITS.chunkPayloadBytes;

/** h_i as PROTOCOL §8.3 writes it: SHA-256("sealdesk/v2/attachment/chunk-hash" || 0x00 || u32be(i) || sealed_i). */
async function specChunkHash(index: number, sealed: Uint8Array): Promise<Uint8Array> {
  const i = new Uint8Array([index >>> 24, (index >>> 16) & 0xff, (index >>> 8) & 0xff, index & 0xff]);
  return sha256(concatBytes(utf8Encode('sealdesk/v2/attachment/chunk-hash'), new Uint8Array([0]), i, sealed));
}

/**
 * A malicious sender's own sealing of one-chunk files: `plain` is the whole chunk plaintext
 * (payload || next hash), sealed under `ref`'s key; returns the reference that commits to it.
 */
async function sealOneChunk(ref: AttachmentRef, plain: Uint8Array): Promise<{ ref: AttachmentRef; chunk: Uint8Array }> {
  const keys = await deriveAttachmentChunkKeys(ref.fileKey, ref.attachmentId, 1);
  const chunk = await aesGcmEncrypt(keys.key, chunkIv(keys, 0), plain, chunkAad(keys, 0));
  return { ref: { ...ref, firstChunkHash: await chunkHash(0, chunk) }, chunk };
}

describe('attachments: the chunk hash chain (PROTOCOL §8.3)', () => {
  it('#17.6: the reference carries h_0 and sealed chunk i carries h_{i+1}, h_i = SHA-256(label || 0x00 || u32 i || sealed_i), h_n = 0^32', async () => {
    const env = hashSeededEnv('chain-layout');
    const data = fileOf(2 * PAYLOAD + 5000);
    const { ref, chunks } = await sealAttachment(env, data, { mediaType: 'application/pdf' });
    expect(chunks).toHaveLength(3);
    expect(ref.firstChunkHash).toEqual(await specChunkHash(0, chunks[0] ?? new Uint8Array(0)));
    const keys = await deriveAttachmentChunkKeys(ref.fileKey, ref.attachmentId, ref.chunkCount);
    for (const [i, sealed] of chunks.entries()) {
      const plain = await aesGcmDecrypt(keys.key, chunkIv(keys, i), sealed, chunkAad(keys, i));
      const next = chunks[i + 1];
      const expected = next === undefined ? new Uint8Array(32) : await specChunkHash(i + 1, next);
      expect(plain.subarray(plain.length - 32)).toEqual(expected);
    }
  });

  it('#17.6: every sealed chunk but the last is 65,536 bytes (65,488 of the file, the next hash, the tag)', async () => {
    expect(ATTACHMENT_LIMITS.sealedChunkBytes).toBe(65_536);
    expect(PAYLOAD + 32 + 16).toBe(65_536);
    const env = hashSeededEnv('chain-sizes');
    for (const size of [0, 1, 100, PAYLOAD, PAYLOAD + 1, 3 * PAYLOAD + 17, 300_000]) {
      const { ref, chunks } = await sealAttachment(env, fileOf(size), { mediaType: 'text/plain' });
      expect(chunks.length).toBe(ref.chunkCount);
      expect(chunks.slice(0, -1).every((c) => c.length === 65_536)).toBe(true);
      const padded = padmeLength(size);
      expect(chunks.at(-1)?.length).toBe(padded - (chunks.length - 1) * PAYLOAD + 48);
      expect(concatBytes(...chunks).length).toBe(padded + 48 * chunks.length);
    }
    expect(ATTACHMENT_LIMITS.maxChunks).toBe(1602);
  });

  it('#17.6: a substituted chunk that authenticates under the file key is refused before it is decrypted (hash-mismatch)', async () => {
    const env = hashSeededEnv('chain-substitute');
    const data = fileOf(2 * PAYLOAD + 5000);
    const genuine = await sealAttachment(env, data, { mediaType: 'application/pdf' });
    const altered = new Uint8Array(data);
    altered[PAYLOAD + 10] = (altered[PAYLOAD + 10] ?? 0) ^ 1;
    const variant = await sealAttachment(replaying(env, genuine.ref.attachmentId, genuine.ref.fileKey), altered, {
      mediaType: 'application/pdf',
    });
    const ref = genuine.ref;
    const keys = await attachmentChunkKeys(ref);
    const first = await openAttachmentChunk(keys, ref, 0, genuine.chunks[0] ?? new Uint8Array(0), ref.firstChunkHash);
    const substituted = variant.chunks[1] ?? new Uint8Array(0);
    // Keys that cannot decrypt: a decryption attempt would fail with InvalidKeyError, not hash-mismatch.
    const noDecrypt = await crypto.subtle.importKey('raw', new Uint8Array(32), 'AES-GCM', false, ['encrypt']);
    const blind = { ...keys, key: noDecrypt };
    await expectTampered(openAttachmentChunk(blind, ref, 1, substituted, first.nextHash), 'hash-mismatch', 1);
    // Control: the genuine chunk passes the hash and only then reaches decryption.
    await expect(
      openAttachmentChunk(blind, ref, 1, genuine.chunks[1] ?? new Uint8Array(0), first.nextHash),
    ).rejects.toBeInstanceOf(InvalidKeyError);
  });

  it('#17.6: the last chunk must end the chain with 32 zero bytes (hash-mismatch)', async () => {
    const env = hashSeededEnv('chain-end');
    const { ref } = await sealAttachment(env, fileOf(100), { mediaType: 'text/plain' });
    const plain = new Uint8Array(padmeLength(100) + 32);
    plain.set(fileOf(100));
    plain[plain.length - 1] = 1; // a "next hash" after the last chunk
    const forged = await sealOneChunk(ref, plain);
    await expectTampered(openAttachment(forged.ref, [forged.chunk]), ATTACHMENT_FAILURES.hashMismatch, 0);
  });

  it('F16: non-zero padding is refused at the chunk that holds it (padding)', async () => {
    const env = hashSeededEnv('chain-padding');
    const { ref } = await sealAttachment(env, fileOf(100), { mediaType: 'text/plain' });
    expect(padmeLength(100)).toBe(104);
    const plain = new Uint8Array(104 + 32);
    plain.set(fileOf(100));
    plain[101] = 7;
    const forged = await sealOneChunk(ref, plain);
    await expectTampered(openAttachment(forged.ref, [forged.chunk]), ATTACHMENT_FAILURES.padding, 0);
  });

  it('#17.6: the whole-file open checks the same chain (a swapped last chunk of an equal-length file is refused)', async () => {
    const env = hashSeededEnv('chain-whole');
    const size = 2 * PAYLOAD + 100;
    const a = await sealAttachment(env, fileOf(size, 1), { mediaType: 'text/plain' });
    const b = await sealAttachment(replaying(env, a.ref.attachmentId, a.ref.fileKey), fileOf(size, 2), {
      mediaType: 'text/plain',
    });
    const mixed = [a.chunks[0], a.chunks[1], b.chunks[2]].map((c) => c ?? new Uint8Array(0));
    await expectTampered(openAttachment(a.ref, mixed), ATTACHMENT_FAILURES.hashMismatch, 2);
    await expectTampered(openAttachmentBlob(a.ref, concatBytes(...mixed)), ATTACHMENT_FAILURES.hashMismatch, 2);
    expect(chunkCountFor(size)).toBe(3);
  });

  it('openAttachmentChunk needs a 32-byte expected hash (UsageError)', async () => {
    const env = hashSeededEnv('chain-usage');
    const { ref, chunks } = await sealAttachment(env, fileOf(10), { mediaType: 'text/plain' });
    const keys = await attachmentChunkKeys(ref);
    await expect(
      openAttachmentChunk(keys, ref, 0, chunks[0] ?? new Uint8Array(0), new Uint8Array(0)),
    ).rejects.toBeInstanceOf(UsageError);
  });
});
