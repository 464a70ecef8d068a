/**
 * What can go wrong talking to the relay, as typed errors a UI can act on. HTTP statuses and
 * relay codes (docs/OPERATIONS.md "HTTP API"), WebSocket error frames (PROTOCOL §16.4) and close
 * codes map to the same classes. Messages are this client's own words: the relay's text is kept
 * apart in `relayMessage` (shortened), since a hostile relay can write anything there.
 */
import { SealdeskError } from '../errors/index.js';

export interface RelayErrorDetails {
  /** HTTP status, or undefined for WebSocket errors and client-side failures. */
  readonly status?: number;
  /** The relay's error code (`version-conflict`, `none-left`, a §16.4 frame error name …). */
  readonly relayCode?: string;
  /** The relay's own message, shortened; show it only as a detail. */
  readonly relayMessage?: string;
  /** The numeric §16.4 code of a WebSocket error frame. */
  readonly frameCode?: number;
  readonly cause?: unknown;
}

export abstract class RelayError extends SealdeskError {
  /** Whether the same request may succeed later without any change. */
  abstract readonly retryable: boolean;
  readonly status: number | undefined;
  readonly relayCode: string | undefined;
  readonly relayMessage: string | undefined;
  readonly frameCode: number | undefined;

  constructor(message: string, details: RelayErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = details.status;
    this.relayCode = details.relayCode;
    this.relayMessage = details.relayMessage;
    this.frameCode = details.frameCode;
  }
}

/** No connection to the relay (DNS, refused, offline, dropped). */
export class UnreachableError extends RelayError {
  readonly code = 'relay-unreachable';
  readonly retryable = true;
}

/** The relay did not answer in time. */
export class TimeoutError extends RelayError {
  readonly code = 'relay-timeout';
  readonly retryable = true;
}

/** The caller aborted (AbortSignal) or stopped the connection. */
export class AbortedError extends RelayError {
  readonly code = 'aborted';
  readonly retryable = false;
}

/** The relay answered something this client cannot read (not the documented shape). */
export class BadResponseError extends RelayError {
  readonly code = 'relay-bad-response';
  readonly retryable = false;
}

/** 429 or the `rate-limited` frame error: wait, then try again. */
export class RateLimitedError extends RelayError {
  readonly code = 'relay-rate-limited';
  readonly retryable = true;
  /** From the Retry-After header when the relay sent one. */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, retryAfterMs: number | undefined, details: RelayErrorDetails = {}) {
    super(message, details);
    this.retryAfterMs = retryAfterMs;
  }
}

/** 404 (`not-found`, `none-left`) or the `unknown-recipient` frame error. */
export class NotFoundError extends RelayError {
  readonly code = 'relay-not-found';
  readonly retryable = false;
}

/** 409: `username-taken`, `version-conflict` (with `latest`), `conversation-exists`, `too-many-*`. */
export class ConflictError extends RelayError {
  readonly code = 'relay-conflict';
  readonly retryable = false;
  /** `version-conflict`: the relay's latest device list version. */
  readonly latest: number | undefined;

  constructor(message: string, latest: number | undefined, details: RelayErrorDetails = {}) {
    super(message, details);
    this.latest = latest;
  }
}

/** 401 or a refused hello: log in again or re-authenticate the device. */
export class UnauthorizedError extends RelayError {
  readonly code = 'relay-unauthorized';
  readonly retryable = false;
}

/** 403 or the `forbidden` frame error: these credentials may not do this. */
export class ForbiddenError extends RelayError {
  readonly code = 'relay-forbidden';
  readonly retryable = false;
}

/** 413: `too-large` or `quota-exceeded`. */
export class TooLargeError extends RelayError {
  readonly code = 'relay-too-large';
  readonly retryable = false;
}

/** 400, 405 and frame errors that mean this client sent something malformed (a bug here). */
export class BadRequestError extends RelayError {
  readonly code = 'relay-bad-request';
  readonly retryable = false;
}

/** 5xx (including 503 `busy`) or `storage-failed`: the relay failed; try again later. */
export class ServerError extends RelayError {
  readonly code = 'relay-server-error';
  readonly retryable = true;
}

/** The relay closed the queue (WebSocket close 4410): the device was removed or the conversation deleted. */
export class GoneError extends RelayError {
  readonly code = 'relay-gone';
  readonly retryable = false;
}

/**
 * The business blocked this conversation's visitor (PROTOCOL §16.10): 403 `blocked`, the `blocked`
 * frame error or close 4403. Final for this visitor key; nothing is retried.
 */
export class BlockedError extends RelayError {
  readonly code = 'relay-blocked';
  readonly retryable = false;
}
