/**
 * Online password guessing. Each OPAQUE login start lets the client test one password guess
 * without finishing: with a wrong password the envelope in the server's answer does not open
 * (RFC 9807 §6.4.3). So login STARTS are counted, not failures: per username, and per visitor
 * address ten times as many (one address trying many usernames). Logins are rare in Sealdesk,
 * since enrolled devices sign in with their device keys; the cost of the per-username budget is
 * that someone can use it up and hold off new password logins of that username for an hour.
 */
import { WindowCounter } from '../rate-limit.js';

const HOUR_MS = 3_600_000;
/** The per-address budget is this many times the per-username one. */
export const ADDRESS_BUDGET_FACTOR = 10;

export class LoginThrottle {
  readonly #perUsername: WindowCounter;
  readonly #perAddress: WindowCounter;

  constructor(perUsernamePerHour: number) {
    this.#perUsername = new WindowCounter(perUsernamePerHour, HOUR_MS);
    this.#perAddress = new WindowCounter(perUsernamePerHour * ADDRESS_BUDGET_FACTOR, HOUR_MS);
  }

  /** Counts a login attempt; false, and nothing counted, when the username or the address has used its budget. */
  take(username: string, address: string, now: number): boolean {
    if (this.#perUsername.exhausted(username, now) || this.#perAddress.exhausted(address, now)) return false;
    this.#perUsername.take(username, now);
    this.#perAddress.take(address, now);
    return true;
  }
}
