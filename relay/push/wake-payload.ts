/**
 * The one payload every Web Push wake-up carries (PROTOCOL §16.9): a constant, so it says nothing
 * about who wrote, which conversation, or how much. Every push therefore has the same size. The
 * app fetches and decrypts from its queue after waking; the push only says "look".
 */
export const WAKE_PAYLOAD = '{"t":"wake"}';

/** RFC 8030 §5.4 Topic: a push service keeps only the newest undelivered wake-up of a device. */
export const WAKE_TOPIC = 'sealdesk-wake';
