/**
 * Padding of team-shared record plaintexts (docs/PROTOCOL.md §9.7, F17): the relay sees a record's
 * length, so a canned reply is padded to a multiple of 256 bytes with a length-prefixed run of
 * zero bytes (any other byte is a DecodeError, so the padding carries nothing).
 */
export const TEAM_PADDING_BLOCK = 256;

/** Zero bytes to add to an encoding of `length` bytes (its padding field empty) to reach the next block. */
export function padLengthTo(length: number): number {
  return (TEAM_PADDING_BLOCK - (length % TEAM_PADDING_BLOCK)) % TEAM_PADDING_BLOCK;
}

export function checkZeroPadding(padding: Uint8Array): string | undefined {
  return padding.every((b) => b === 0) ? undefined : 'padding must be zero bytes';
}
