/** Typed errors of the inbox archive (docs/PROTOCOL.md §9). */
import { ProtocolStateError } from '../core/index.js';

/**
 * §9.1: this device holds no account-signed archive key for the current epoch yet (the owner's
 * grant for the newest list that changed the device set has not arrived). Nothing is sealed under
 * an older key meanwhile: a device removed by that list may hold it.
 */
export class ArchiveKeyPendingError extends ProtocolStateError {
  override readonly code = 'archive-key-pending';
}
