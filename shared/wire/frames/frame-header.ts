/**
 * The two bytes that open every relay frame (docs/PROTOCOL.md §16.1): frame version, frame type.
 * The frame version is independent of the envelope's wire version: the relay protocol can evolve
 * without touching what clients sign and encrypt.
 */
import type { Codec } from '../codec.js';
import { Reader } from '../reader.js';
import { Writer } from '../writer.js';
import { LIMITS } from '../limits.js';
import { DecodeError } from '../../errors/index.js';
import { FrameDecodeError } from './frame-decode-error.js';

export const FRAME_VERSION = 1;

/** Checks size, version and type byte; returns a reader positioned after the header. */
export function openFrame(bytes: Uint8Array, knownTypes: readonly number[]): { type: number; reader: Reader } {
  // PROTOCOL §16.1 / §14: nothing larger than LIMITS.maxFrameBytes is parsed at all.
  if (bytes.length > LIMITS.maxFrameBytes) {
    throw new FrameDecodeError(
      'frame-too-large',
      `frame of ${bytes.length} bytes exceeds the cap of ${LIMITS.maxFrameBytes}`,
    );
  }
  if (bytes.length < 2) throw new FrameDecodeError('malformed-frame', `frame of ${bytes.length} bytes has no header`);
  const reader = new Reader(bytes);
  const version = reader.u8();
  // PROTOCOL §16.1: unknown frame versions are rejected, never guessed at.
  if (version !== FRAME_VERSION) {
    throw new FrameDecodeError(
      'unsupported-version',
      `frame version ${version} is not supported (this build speaks ${FRAME_VERSION})`,
    );
  }
  const type = reader.u8();
  if (!knownTypes.includes(type)) throw new FrameDecodeError('unknown-frame-type', `unknown frame type ${type}`);
  return { type, reader };
}

/** Runs a frame body reader; any DecodeError (including trailing bytes) becomes malformed-frame. */
export function readBody<T>(reader: Reader, what: string, read: (r: Reader) => T): T {
  try {
    return reader.field(what, () => {
      const value = read(reader);
      reader.end();
      return value;
    });
  } catch (error) {
    if (error instanceof DecodeError) throw new FrameDecodeError('malformed-frame', error.message, { cause: error });
    throw error;
  }
}

type Body<F> = Omit<F, 'type'>;

/** The body codec of each frame type of a family (client frames, relay frames). */
export type FrameBodies<F extends { type: string }> = {
  readonly [K in F['type']]: Codec<Body<Extract<F, { type: K }>>>;
};

/**
 * Encoder and strict decoder for one family of frames: header (§16.1), then the body of the
 * frame's type. Decoding throws FrameDecodeError on anything but exactly one valid frame.
 */
export function frameFamily<F extends { type: string }>(
  typeBytes: Readonly<Record<F['type'], number>>,
  bodies: FrameBodies<F>,
): { encode: (frame: F) => Uint8Array; decode: (bytes: Uint8Array) => F } {
  const names = Object.keys(typeBytes) as F['type'][];
  const nameByByte = new Map<number, F['type']>(names.map((name) => [typeBytes[name], name]));
  const knownTypes = [...nameByByte.keys()];
  const bodyOf = (name: F['type']): Codec<Record<string, unknown>> =>
    bodies[name] as unknown as Codec<Record<string, unknown>>;
  return {
    encode(frame) {
      const w = new Writer();
      w.u8(FRAME_VERSION);
      w.u8(typeBytes[frame.type as F['type']]);
      w.field(frame.type, () => {
        bodyOf(frame.type).write(w, frame);
      });
      return w.finish();
    },
    decode(bytes) {
      const { type, reader } = openFrame(bytes, knownTypes);
      const name = nameByByte.get(type);
      if (name === undefined) throw new FrameDecodeError('unknown-frame-type', `unknown frame type ${type}`);
      const body = readBody(reader, name, (r) => bodyOf(name).read(r));
      return { ...body, type: name } as unknown as F;
    },
  };
}
