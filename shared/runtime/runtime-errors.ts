/** The runtime's own typed errors, and the connection state a UI shows. */
import { SealdeskError } from '../errors/index.js';
import type { ConnectionStatus } from '../transport/index.js';
import { CONNECTION_STATES, type ConnectionState } from './api-common.js';

/** A call that needs an earlier one first (start, openConversation, createAccount). */
export class NotStartedError extends SealdeskError {
  readonly code = 'not-started';
}

/** The conversation was closed: nothing more can be sent in it. */
export class ConversationClosedError extends SealdeskError {
  readonly code = 'conversation-closed';
}

/** The business has no verified device list yet: no one could read a message. */
export class BusinessNotReadyError extends SealdeskError {
  readonly code = 'business-not-ready';
}

export function connectionStateOf(status: ConnectionStatus): ConnectionState {
  switch (status) {
    case 'connecting':
      return CONNECTION_STATES.connecting;
    case 'ready':
      return CONNECTION_STATES.online;
    case 'waiting':
      return CONNECTION_STATES.reconnecting;
    default:
      return CONNECTION_STATES.offline;
  }
}

/**
 * A step that signs with the account identity key (the widget configuration, PROTOCOL §19.3) on a
 * device that does not hold it: only the owner's devices that created or recovered the account do.
 */
export class AccountKeyRequiredError extends SealdeskError {
  readonly code = 'account-key-required';
}

/** A part of the runtime API this build does not implement yet (said so, never faked). */
export class NotSupportedYetError extends SealdeskError {
  readonly code = 'not-supported-yet';
}

/** A canned reply that this device does not hold, or that was deleted (PROTOCOL §9.7). */
export class CannedReplyNotFoundError extends SealdeskError {
  readonly code = 'canned-reply-not-found';
}

/** ChangeRequestDeniedError's code: a UI reads it also on an error that crossed the extension's bridge. */
export const CHANGE_REQUEST_DENIED = 'change-request-denied';

/** An owner device denied this device's change request (PROTOCOL §4.5): the change will not be made. */
export class ChangeRequestDeniedError extends SealdeskError {
  readonly code = CHANGE_REQUEST_DENIED;
}

/** PROTOCOL §4.8: the verified device list no longer names this device; it can no longer send. */
export class DeviceRemovedError extends SealdeskError {
  readonly code = 'device-removed';
}

/** PROTOCOL §4.8: only a device the verified list no longer names erases its data through the runtime. */
export class EraseNotAllowedError extends SealdeskError {
  readonly code = 'erase-not-allowed';
}
