/**
 * Shared pieces of the attachment tests (docs/PROTOCOL.md §8): test files, the tamper assertion,
 * a progressive viewer, and the "random" draws a sender replays to seal a second file under the
 * same attachment id and file key.
 */
import { expect } from 'vitest';
import {
  ALERT_KINDS,
  type AttachmentFailure,
  AttachmentIntegrityError,
  type AttachmentRef,
  AttachmentTamperedError,
  attachmentChunkKeys,
  openAttachmentChunk,
  type ProtocolEnv,
} from '../../shared/protocol/index.js';

/** `size` bytes of a recognisable pattern. */
export function fileOf(size: number, fill = 7): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + fill) & 0xff;
  return out;
}

/** Requires an AttachmentTamperedError of `reason` (at chunk `index`, when given) that carries the attachment-tampered alert. */
export async function expectTampered(
  action: Promise<unknown>,
  reason: AttachmentFailure,
  index?: number,
): Promise<void> {
  const error: unknown = await action.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AttachmentIntegrityError);
  expect(error).toBeInstanceOf(AttachmentTamperedError);
  if (!(error instanceof AttachmentTamperedError)) return;
  expect(error.reason).toBe(reason);
  expect(error.alert.kind).toBe(ALERT_KINDS.attachmentTampered);
  if (index !== undefined) expect(error.chunkIndex).toBe(index);
}

/** Replays chosen "random" draws, in order: how a sender seals a second file under the same id and key. */
export function replaying(env: ProtocolEnv, ...draws: Uint8Array[]): ProtocolEnv {
  const queue = [...draws];
  return {
    now: env.now,
    rng: (length) => {
      const next = queue.shift();
      if (next?.length !== length) throw new RangeError(`replaying env: no ${length}-byte draw queued`);
      return new Uint8Array(next);
    },
  };
}

/**
 * What a progressive viewer shows: chunk after chunk, each checked against the hash the previous
 * one handed on (h_0 from the reference), until one is refused.
 */
export async function showProgressively(
  ref: AttachmentRef,
  chunks: readonly Uint8Array[],
): Promise<{ shown: Uint8Array[]; error: unknown; nextHash: Uint8Array }> {
  const keys = await attachmentChunkKeys(ref);
  const shown: Uint8Array[] = [];
  let expected = ref.firstChunkHash;
  for (const [i, chunk] of chunks.entries()) {
    try {
      const opened = await openAttachmentChunk(keys, ref, i, chunk, expected);
      shown.push(opened.data);
      expected = opened.nextHash;
    } catch (error) {
      return { shown, error, nextHash: expected };
    }
  }
  return { shown, error: undefined, nextHash: expected };
}
