/** Typed errors of the PostgreSQL store and the cluster bus. Messages name no secret. */
import { SealdeskError } from '../../shared/wire/index.js';

/** The database cannot be used by this relay (schema too new, another OPAQUE setup, unreachable at start). */
export class StoreSetupError extends SealdeskError {
  readonly code = 'store-setup';
}

/** The NATS or Redis bus cannot be reached or refused a subscription at start. */
export class BusError extends SealdeskError {
  readonly code = 'bus';
}
