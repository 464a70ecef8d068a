/**
 * Wraps a codec so that its encoding opens with the version byte and the suite byte
 * (docs/PROTOCOL.md §2, §15; security brief F21). Decoding rejects an unknown version or suite
 * with a DecodeError before any other field is read.
 */
import { type Codec, readVersionAndSuite, writeVersionAndSuite } from '../../wire/index.js';

export function versioned<T>(inner: Codec<T>): Codec<T> {
  return {
    write: (w, value) => {
      writeVersionAndSuite(w);
      inner.write(w, value);
    },
    read: (r) => {
      readVersionAndSuite(r);
      return inner.read(r);
    },
  };
}
