/**
 * Fixed limits of the Double Ratchet (docs/PROTOCOL.md §6.6 and §14). Double Ratchet §3.5 asks
 * for a MAX_SKIP; the other caps bound memory and the lifetime of keys kept for late messages.
 */
export const RATCHET_LIMITS = {
  /** Double Ratchet §3.5 MAX_SKIP: most message keys one incoming message may make us skip. */
  maxSkip: 1000,
  /** Skipped message keys kept in total; the oldest are deleted first. */
  maxStoredSkippedKeys: 2000,
  /** A skipped message key is deleted this long after it was stored (7 days). */
  skippedKeyMaxAgeMs: 7 * 24 * 60 * 60 * 1000,
  /**
   * Earlier remote ratchet keys remembered (as tags) to tell a replay on an old chain from a new
   * chain (issue #9 item 8: a replay past this is refused as a forgery, not a replay).
   */
  maxPreviousRemoteKeys: 1024,
  /** Bytes of a remote ratchet key kept as its tag: 8 (a random 32-byte key; collisions ~2^-54 at 1,024 tags). */
  remoteKeyTagBytes: 8,
  /** Highest message number (u32); a chain that reaches it must ratchet (LimitError on send). */
  maxMessageNumber: 0xffff_ffff,
  /** Largest ratchet ciphertext (a key packet is far smaller; this caps decoding). */
  maxCiphertextBytes: 4096,
} as const;
