/** Typed errors of the relay. Messages say what to do and never contain tokens, keys or bodies. */
import { SealdeskError } from '../shared/wire/index.js';

/** A request the relay refuses: HTTP status plus a stable code documented in docs/OPERATIONS.md. */
export class HttpError extends SealdeskError {
  readonly code: string;
  readonly status: number;
  readonly extra: Readonly<Record<string, string | number>>;

  constructor(status: number, code: string, message: string, extra: Readonly<Record<string, string | number>> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.extra = extra;
  }
}

/** A setting in the environment that cannot be used. */
export class ConfigError extends SealdeskError {
  readonly code = 'config';
}

/** The data directory or its OPAQUE server setup cannot be used. */
export class SetupError extends SealdeskError {
  readonly code = 'setup';
}
