/**
 * Fixed limits of protocol version 1 (docs/PROTOCOL.md §14). Decoders check them before
 * allocating; writers refuse values past them. Changing one is a wire change (§15).
 */

/** Bytes of an envelope around its body: version 1 + suite 1 + conversation id 16 + recipient tag 1 + device id 16 + body length 4. */
export const ENVELOPE_OVERHEAD_BYTES = 39;

export const LIMITS = {
  /** Largest WebSocket frame the relay accepts or sends (relay frames, §16). */
  maxFrameBytes: 65_536,
  /** Largest envelope body (ciphertext plus protocol header); leaves room for frame fields. */
  maxEnvelopeBodyBytes: 61_440,
  /** Largest encoded envelope: maxEnvelopeBodyBytes + ENVELOPE_OVERHEAD_BYTES. */
  maxEnvelopeBytes: 61_440 + ENVELOPE_OVERHEAD_BYTES,
  /** Devices in one signed device list (security brief §4: lists past a cap are rejected). */
  maxDevicesPerList: 64,
  /** UTF-8 bytes of a display name (agent, device, business). */
  maxDisplayNameBytes: 128,
} as const;
