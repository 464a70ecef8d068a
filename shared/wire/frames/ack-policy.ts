/**
 * When a receiver sends `ack` (docs/PROTOCOL.md §16.2, ack pacing). Acks are cumulative, so one
 * ack covers every delivery before it: a client acks once ACK_MAX_UNACKED deliveries are
 * unacknowledged, or ACK_MAX_DELAY_MS after the first unacknowledged one, whichever is first.
 * A later ack costs only redelivery after a reconnect (clients drop cursors they have processed);
 * acking every delivery would double the frames the relay reads and the deletes it commits.
 */
export const ACK_MAX_DELAY_MS = 100;
export const ACK_MAX_UNACKED = 64;
