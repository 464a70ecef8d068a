/**
 * Relay answers → typed errors: HTTP statuses with their JSON `{error, message, …}` body
 * (docs/OPERATIONS.md "HTTP API"), WebSocket error frames (PROTOCOL §16.4) and close codes.
 */
import { FRAME_ERRORS, type FrameErrorName, frameErrorName } from '../wire/index.js';
import {
  BadRequestError,
  BlockedError,
  BadResponseError,
  ConflictError,
  ForbiddenError,
  GoneError,
  NotFoundError,
  RateLimitedError,
  type RelayError,
  type RelayErrorDetails,
  ServerError,
  TooLargeError,
  UnauthorizedError,
} from './relay-errors.js';

const RELAY_CODE = /^[a-z][a-z0-9-]{0,39}$/;
const MAX_RELAY_MESSAGE = 200;
/** Longest wait taken from a Retry-After header (a hostile relay could ask for years). */
const MAX_RETRY_AFTER_MS = 3_600_000;

/** WebSocket close codes of the relay (PROTOCOL §16.4). */
export const CLOSE_CODES = { authFailed: 4401, blocked: 4403, gone: 4410, goingAway: 1001 } as const;

/** Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP-date; undefined if absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  const ms = /^\d{1,10}$/.test(text) ? Number(text) * 1000 : Date.parse(text) - now;
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS) : undefined;
}

/** The error an HTTP error status stands for. `body` is the parsed JSON body, if any. */
export function errorFromStatus(
  status: number,
  body: Readonly<Record<string, unknown>>,
  retryAfter: number | undefined,
  what: string,
): RelayError {
  const code = typeof body['error'] === 'string' && RELAY_CODE.test(body['error']) ? body['error'] : undefined;
  const message = typeof body['message'] === 'string' ? body['message'].slice(0, MAX_RELAY_MESSAGE) : undefined;
  const details: RelayErrorDetails = {
    status,
    ...(code === undefined ? {} : { relayCode: code }),
    ...(message === undefined ? {} : { relayMessage: message }),
  };
  const by = `${what}: the relay answered ${status}${code === undefined ? '' : ` ${code}`}`;
  switch (status) {
    case 401:
      return new UnauthorizedError(`${by}; log in or authenticate the device again`, details);
    case 403:
      if (code === 'blocked')
        return new BlockedError(`${by}; the business does not accept messages from this conversation`, details);
      return new ForbiddenError(`${by}; these credentials may not do this`, details);
    case 404:
      return new NotFoundError(`${by}; it does not exist (any more)`, details);
    case 409: {
      const latest = body['latest'];
      return new ConflictError(
        `${by}; it conflicts with what the relay holds`,
        typeof latest === 'number' && Number.isSafeInteger(latest) ? latest : undefined,
        details,
      );
    }
    case 413:
      return new TooLargeError(`${by}; the upload is too large or the quota is used up`, details);
    case 429:
      return new RateLimitedError(`${by}; wait before trying again`, retryAfter, details);
  }
  if (status >= 500) return new ServerError(`${by}; try again later`, details);
  if (status >= 400) return new BadRequestError(`${by}; this client sent something the relay refuses`, details);
  return new BadResponseError(`${by}, which is not a documented answer`, details);
}

const SEND_PERMANENT: ReadonlySet<FrameErrorName> = new Set([
  'forbidden',
  'unknown-recipient',
  'malformed-envelope',
  'malformed-frame',
  'frame-too-large',
  'unsupported-version',
  'unknown-frame-type',
]);

/** Whether a send refused with this frame error can never succeed as it is (drop it from the outbox). */
export function isPermanentSendError(code: number): boolean {
  const name = frameErrorName(code);
  return name !== undefined && SEND_PERMANENT.has(name);
}

/** The error of a relay `error` frame (PROTOCOL §16.4). */
export function errorFromFrame(code: number, requestId: number): RelayError {
  const name = frameErrorName(code);
  const details: RelayErrorDetails = { frameCode: code, ...(name === undefined ? {} : { relayCode: name }) };
  const about = requestId === 0 ? 'the relay' : `the relay refused send ${requestId}`;
  switch (code) {
    case FRAME_ERRORS['rate-limited']:
      return new RateLimitedError(`${about}: rate-limited (the frame was dropped)`, undefined, details);
    case FRAME_ERRORS['signal-rate-limited']:
      return new RateLimitedError(
        `${about}: too many team signals (PROTOCOL §16.12); that one was dropped`,
        undefined,
        details,
      );
    case FRAME_ERRORS['queue-full']:
      return new RateLimitedError(`${about}: the recipient's queue is full; send it again later`, undefined, details);
    case FRAME_ERRORS['too-many-connections']:
      return new RateLimitedError(`${about}: too many connections of this device or conversation`, undefined, details);
    case FRAME_ERRORS['auth-failed']:
    case FRAME_ERRORS['not-authenticated']:
      return new UnauthorizedError(
        `${about}: the hello was refused (unknown device, bad signature or capability)`,
        details,
      );
    case FRAME_ERRORS.forbidden:
      return new ForbiddenError(`${about}: this connection may not write to that conversation or recipient`, details);
    case FRAME_ERRORS['unknown-recipient']:
      return new NotFoundError(`${about}: the recipient device is not enrolled (any more)`, details);
    case FRAME_ERRORS['storage-failed']:
      return new ServerError(`${about}: the relay could not store it; it will be sent again`, details);
    case FRAME_ERRORS['frame-too-large']:
      return new TooLargeError(`${about}: the frame is too large`, details);
    case FRAME_ERRORS.blocked:
      return new BlockedError(`${about}: the business blocked this conversation`, details);
  }
  return new BadRequestError(`${about}: ${name ?? `unknown error code ${code}`}`, details);
}

/** The error a WebSocket close stands for, or undefined for a close that only asks to reconnect. */
export function errorFromClose(code: number): RelayError | undefined {
  if (code === CLOSE_CODES.authFailed)
    return new UnauthorizedError('the relay closed the connection: authentication failed', {
      relayCode: 'auth-failed',
    });
  if (code === CLOSE_CODES.blocked)
    return new BlockedError('the relay closed the connection: the business blocked this conversation', {
      relayCode: 'blocked',
    });
  if (code === CLOSE_CODES.gone)
    return new GoneError('the relay closed the queue: the device was removed or the conversation deleted', {
      relayCode: 'gone',
    });
  return undefined;
}
