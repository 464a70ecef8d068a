/**
 * Protocol version and cipher suite (docs/PROTOCOL.md §15). Security brief F21: version and
 * suite open every header and are part of associated data, and unknown values are rejected, so
 * a later version cannot be downgraded to this one by a relay.
 */
import type { Reader } from './reader.js';
import type { Writer } from './writer.js';

export const WIRE_VERSION = 2;

/** Suite 1: X25519, Ed25519, HKDF-SHA-256, AES-256-GCM. */
export const SUITE_V1 = 1;

/** The suites this build accepts under WIRE_VERSION. */
export const SUPPORTED_SUITES: readonly number[] = [SUITE_V1];

/** Writes the version byte (WIRE_VERSION) then the suite byte (SUITE_V1). */
export function writeVersionAndSuite(w: Writer): void {
  w.field('version', () => {
    w.u8(WIRE_VERSION);
  });
  w.field('suite', () => {
    w.u8(SUITE_V1);
  });
}

/** PROTOCOL §15: reads the version and suite bytes; an unknown one is a DecodeError naming it. */
export function readVersionAndSuite(r: Reader): void {
  r.field('version', () => {
    const version = r.u8();
    if (version !== WIRE_VERSION)
      throw r.fail(`unknown wire version ${version} (this build speaks version ${WIRE_VERSION} only)`);
  });
  r.field('suite', () => {
    const suite = r.u8();
    if (!SUPPORTED_SUITES.includes(suite))
      throw r.fail(`unknown cipher suite ${suite} for wire version ${WIRE_VERSION}`);
  });
}
