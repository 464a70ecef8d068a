/** Typed errors of the conversation layer (docs/PROTOCOL.md §5.4, §7.6, §7.8). */
import { ProtocolStateError } from '../core/index.js';

/** A frame after its sender's authenticated close: only the sender can write one (alert `invalid-content`). */
export class FrameAfterCloseError extends ProtocolStateError {}

/**
 * A first contact made for a newer device list than this device holds (PROTOCOL §5.4): not an
 * attack by itself, so no alert. The runtime fetches the lists up to `version` (link by link) and
 * delivers the packet again; a directory that has no such version leaves it refused.
 */
export class DeviceListBehindError extends ProtocolStateError {
  readonly version: number;

  constructor(version: number, have: number) {
    super(`the sender used device list version ${version}; this device has ${have}: fetch the newer lists and retry`);
    this.version = version;
  }
}
