/**
 * One duplex connection between a UI page and the host that runs the agent runtime (the
 * extension's background service worker, or the PWA's runtime worker). `mode` says what the
 * underlying transport can carry: extension ports serialise as JSON in Chromium (bytes and Blobs
 * must be encoded), MessagePorts use structured clone (they carry both as they are).
 */
export const CHANNEL_MODES = { json: 'json', structured: 'structured' } as const;
export type ChannelMode = (typeof CHANNEL_MODES)[keyof typeof CHANNEL_MODES];

export interface BridgeChannel {
  readonly mode: ChannelMode;
  post(message: unknown): void;
  /** Returns the function that removes the listener. */
  onMessage(listener: (message: unknown) => void): () => void;
  /** The other side went away (service worker stopped, worker terminated, page closed). */
  onClose(listener: () => void): () => void;
  close(): void;
}
