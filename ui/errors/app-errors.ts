/**
 * Typed errors of the agent apps' own layers (bridge, platform, form input). The runtime's own
 * errors arrive across the bridge as RemoteRuntimeError with the runtime's stable `code`.
 */
import { SealdeskError } from '../../shared/errors/index.js';

/** This build has no agent runtime to run (the composition root is not wired in). */
export class RuntimeUnavailableError extends SealdeskError {
  readonly code = 'runtime-unavailable';
}

/** The relay serves no widget build to make the embed snippet from (its manifest is missing or unreachable). */
export class WidgetBuildUnavailableError extends SealdeskError {
  readonly code = 'widget-build-unavailable';
}

/** The page lost its channel to the runtime's host (background worker or PWA worker) mid-call. */
export class BridgeDisconnectedError extends SealdeskError {
  readonly code = 'bridge-disconnected';
}

/** A bridge message that does not have the shape the bridge protocol defines. */
export class BridgeProtocolError extends SealdeskError {
  readonly code = 'bridge-protocol';
}

/** The runtime already runs in another tab or window of this app (PWA, one runtime per profile). */
export class RuntimeBusyError extends SealdeskError {
  readonly code = 'runtime-busy';
}

/** The person declined a browser permission the step needs (relay host access, camera). */
export class PermissionDeniedError extends SealdeskError {
  readonly code = 'permission-denied';
}

/** This browser cannot subscribe to Web Push (no push service reachable, no PushManager). */
export class PushUnavailableError extends SealdeskError {
  readonly code = 'push-unavailable';
}

/** A form value the app refuses before calling the runtime; `field` names the input to fix. */
export class InputError extends SealdeskError {
  readonly code = 'input';
  readonly field: string;

  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}

/** An error the runtime raised on the other side of the bridge, re-created with its code and message. */
export class RemoteRuntimeError extends SealdeskError {
  readonly code: string;
  readonly remoteName: string;

  constructor(code: string, remoteName: string, message: string) {
    super(message);
    this.code = code;
    this.remoteName = remoteName;
  }
}
