/**
 * The relay's refusals a visitor must understand (issue #15 item 6, docs/OPERATIONS.md "Limits",
 * PROTOCOL §16.10), in plain words instead of a silent failure or a raw 429:
 * - 429 `account-rate-limited`: the business receives too many new chats;
 * - 429 `rate-limited`: too many new chats from this visitor's address;
 * - `blocked` (403, frame error 16, close 4403): the business blocked this chat.
 * A refused open is not asked of the relay again before its Retry-After has passed.
 */
import { BlockedError, RateLimitedError } from '../transport/index.js';
import { ALERT_SEVERITIES, type PlainAlert } from './api-common.js';

export const REFUSAL_KINDS = {
  busyBusiness: 'busy-business',
  busyAddress: 'busy-address',
  blocked: 'blocked',
} as const;

/** Without a Retry-After, a refused open waits this long before asking the relay again. */
const DEFAULT_WAIT_MS = 60_000;

function minutes(ms: number): string {
  const m = Math.max(1, Math.ceil(ms / 60_000));
  return m === 1 ? 'a minute' : `${m} minutes`;
}

/** The plain alert of a refusal, or undefined for any other error. */
export function refusalAlert(error: unknown, waitMs?: number): PlainAlert | undefined {
  if (error instanceof BlockedError)
    return {
      kind: REFUSAL_KINDS.blocked,
      severity: ALERT_SEVERITIES.warning,
      title: 'This chat is closed',
      text: 'The business does not accept messages from this chat.',
    };
  if (!(error instanceof RateLimitedError) || error.status !== 429) return undefined;
  if (error.relayCode === 'account-rate-limited')
    return {
      kind: REFUSAL_KINDS.busyBusiness,
      severity: ALERT_SEVERITIES.warning,
      title: 'Many new chats right now',
      text: 'This business is receiving many new chats right now. Please try again in a few minutes.',
    };
  const wait = waitMs ?? error.retryAfterMs;
  return {
    kind: REFUSAL_KINDS.busyAddress,
    severity: ALERT_SEVERITIES.warning,
    title: 'Too many new chats',
    text: `Too many new chats were started from your network. Please try again ${wait === undefined ? 'later' : `in ${minutes(wait)}`}.`,
  };
}

/**
 * Remembers a rate-limited open until its Retry-After: `run` answers the same refusal (and its
 * alert) without asking the relay while the wait lasts, and reports every refusal as an alert.
 */
export class OpenRefusals {
  readonly #emit: (alert: PlainAlert) => void;
  readonly #now: () => number;
  #waiting: { readonly error: RateLimitedError; readonly until: number } | undefined;

  constructor(emit: (alert: PlainAlert) => void, now: () => number) {
    this.#emit = emit;
    this.#now = now;
  }

  /** Throws the remembered refusal while its wait lasts. */
  check(): void {
    const waiting = this.#waiting;
    if (waiting === undefined) return;
    const left = waiting.until - this.#now();
    if (left <= 0) {
      this.#waiting = undefined;
      return;
    }
    const alert = refusalAlert(waiting.error, left);
    if (alert !== undefined) this.#emit(alert);
    throw waiting.error;
  }

  /** Runs the open; a refusal is reported in plain words (and remembered when rate-limited), then rethrown. */
  async run<T>(open: () => Promise<T>): Promise<T> {
    try {
      return await open();
    } catch (error) {
      const alert = refusalAlert(error);
      if (alert !== undefined) this.#emit(alert);
      if (error instanceof RateLimitedError && error.status === 429)
        this.#waiting = { error, until: this.#now() + (error.retryAfterMs ?? DEFAULT_WAIT_MS) };
      throw error;
    }
  }
}
