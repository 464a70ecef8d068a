/** Re-creates a typed error from its bridge form, keeping the runtime's stable code and message. */
import type { SealdeskError } from '../../shared/errors/index.js';
import { RemoteRuntimeError, RuntimeBusyError, RuntimeUnavailableError } from '../errors/app-errors.js';
import type { ErrorPayload } from './bridge-messages.js';

export function errorFromPayload(payload: ErrorPayload): SealdeskError {
  switch (payload.code) {
    case 'runtime-unavailable':
      return new RuntimeUnavailableError(payload.message);
    case 'runtime-busy':
      return new RuntimeBusyError(payload.message);
    default:
      return new RemoteRuntimeError(payload.code, payload.name, payload.message);
  }
}
