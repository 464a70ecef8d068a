/**
 * The per-address, per-device and per-account budgets of issues #10 and #15 (docs/OPERATIONS.md "Limits"), one
 * WindowCounter each. In memory on each node: with several nodes a client spread over all of them
 * gets the budget once per node.
 */
import type { RelayConfig } from './config.js';
import { WindowCounter } from './rate-limit.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

export class AbuseLimits {
  /** register/finish per visitor address (#10 item 7). */
  readonly registrations: WindowCounter;
  /** One-time prekey claims per visitor address and per device (#10 item 4, X3DH §4). */
  readonly prekeyClaimsByAddress: WindowCounter;
  readonly prekeyClaimsByDevice: WindowCounter;
  /** Device sign-in challenges per visitor address and per (account, device) (#10 item 8). */
  readonly challengesByAddress: WindowCounter;
  readonly challengesByDevice: WindowCounter;

  /** New conversations per account (issue #15 item 6): a crowd of addresses cannot flood one business. */
  readonly conversationsByAccount: WindowCounter;

  constructor(config: RelayConfig) {
    this.registrations = new WindowCounter(config.registrationsPerAddressPerHour, HOUR_MS);
    this.prekeyClaimsByAddress = new WindowCounter(config.prekeyClaimsPerAddressPerHour, HOUR_MS);
    this.prekeyClaimsByDevice = new WindowCounter(config.prekeyClaimsPerDevicePerHour, HOUR_MS);
    this.challengesByAddress = new WindowCounter(config.challengesPerAddressPerMinute, MINUTE_MS);
    this.challengesByDevice = new WindowCounter(config.challengesPerDevicePerMinute, MINUTE_MS);
    this.conversationsByAccount = new WindowCounter(config.conversationsPerAccountPerHour, HOUR_MS);
  }
}
