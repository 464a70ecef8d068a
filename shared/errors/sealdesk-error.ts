/**
 * The base of every error Sealdesk raises on purpose.
 *
 * Rules (docs/ARCHITECTURE.md, "Typed errors"):
 * - one subclass per failure kind, each with a stable `code` a UI or a relay client can switch on;
 * - messages say what went wrong and what to do, and NEVER contain key material, plaintext,
 *   tokens or whole ciphertexts (lengths, ids and counters are fine);
 * - the lower layer's error is kept as `cause` when a layer re-throws.
 */
export abstract class SealdeskError extends Error {
  abstract readonly code: string;

  constructor(message: string, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
