/**
 * The account password's key-stretching function for OPAQUE (docs/PROTOCOL.md §17, F6).
 * RFC 9807 §4.3 lets the application choose the KSF; Sealdesk fixes Argon2id (RFC 9106) with the
 * second recommended option of RFC 9106 §4 (64 MiB, 3 passes, 4 lanes), which browsers and phones
 * can run. Registration and every login must use the same values, so clients pass them
 * explicitly instead of relying on a library default that could change.
 */
export const OPAQUE_KEY_STRETCHING = {
  'argon2id-custom': { memory: 65_536, iterations: 3, parallelism: 4 },
} as const;
