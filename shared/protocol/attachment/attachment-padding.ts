/**
 * Padmé length padding for attachments (Nikitin et al., "Reducing Metadata Leakage from Encrypted
 * Files and Communication with PURBs", PoPETs 2019, §4): a length L is rounded up so that only
 * its top ~log2(log2(L)) bits stay significant. Overhead is at most about 12%, and the relay
 * learns only O(log log L) bits of the size (security brief F16 "size leak", F17).
 */

/** Padmé(L). Lengths below 3 are unchanged. */
export function padmeLength(length: number): number {
  if (length < 3) return length;
  const e = Math.floor(Math.log2(length));
  const s = Math.floor(Math.log2(e)) + 1;
  const step = 2 ** (e - s);
  return Math.ceil(length / step) * step;
}
