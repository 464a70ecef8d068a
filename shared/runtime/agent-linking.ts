/**
 * The runtime side of device linking (PROTOCOL §10, commit-then-reveal with a 6-digit code): both
 * sides' transitions of shared/protocol/linking, driven over the relay's link mailbox
 * (`/v1/links/:linkId/(offer|reveal|grant)`). Nothing is released before both people said the
 * codes match; a mismatch aborts with the protocol's alert.
 *
 *   new device                        existing device (holds the account key in this build)
 *   startLinkAsNewDevice → QR/code     linkFromExistingDevice(code) → PUT offer
 *   GET offer → PUT reveal → code      GET reveal → code
 *   confirmLink(true)                  confirmLink(true) → next list signed, published; the new
 *   GET grant → enrolled, online        device's relay key enrolled; PUT grant
 */
import { SealdeskError } from '../errors/index.js';
import {
  type DeviceKeys,
  type ExistingDeviceLinkState,
  type NewDeviceLinkState,
  type SecurityAlert,
  cancelExistingDeviceLink,
  cancelNewDeviceLink,
  existingDeviceConfirmCode,
  existingDeviceReceiveReveal,
  newDeviceConfirmCode,
  newDeviceReceiveGrant,
  newDeviceReceiveOffer,
  startExistingDeviceLink,
  startNewDeviceLink,
  type LinkRelease,
  type DeviceProfile,
} from '../protocol/index.js';
import type { LinkSlot } from '../transport/index.js';
import type { AccountId } from '../wire/index.js';
import type { LinkPhase } from './api-agent.js';
import type { Platform } from './platform.js';

const POLL_MS = 250;
const GIVE_UP_MS = 10 * 60_000;

export class LinkCancelledError extends SealdeskError {
  readonly code = 'link-cancelled';
}

export interface LinkHooks {
  readonly phase: (phase: LinkPhase) => void;
  readonly alerts: (alerts: readonly SecurityAlert[]) => void;
}

/** Waits for a mailbox slot, polling; rejects with LinkCancelledError once `live()` turns false. */
async function waitForSlot(p: Platform, linkId: Uint8Array, slot: LinkSlot, live: () => boolean): Promise<Uint8Array> {
  const deadline = p.timers.now() + GIVE_UP_MS;
  for (;;) {
    if (!live()) throw new LinkCancelledError('linking was cancelled');
    const message = await p.http.links.get(linkId, slot);
    if (message !== undefined) return message;
    if (p.timers.now() > deadline) throw new LinkCancelledError('the other device did not answer within 10 minutes');
    await new Promise<void>((resolve) => p.timers.after(POLL_MS, resolve));
  }
}

/** The new device's side. `finish` enrols it once the grant opened (the runtime's part). */
export class NewDeviceLink {
  #state: NewDeviceLinkState;
  #live = true;
  readonly #p: Platform;
  readonly #keys: DeviceKeys;
  readonly #hooks: LinkHooks;

  private constructor(p: Platform, keys: DeviceKeys, state: NewDeviceLinkState, hooks: LinkHooks) {
    this.#p = p;
    this.#keys = keys;
    this.#state = state;
    this.#hooks = hooks;
  }

  static async start(
    p: Platform,
    accountId: AccountId,
    keys: DeviceKeys,
    hooks: LinkHooks,
  ): Promise<{ link: NewDeviceLink; payload: Uint8Array }> {
    const step = await startNewDeviceLink(p.env, accountId, keys);
    const link = new NewDeviceLink(p, keys, step.state, hooks);
    hooks.phase({ phase: 'waiting-for-peer' });
    link.#background(async () => {
      const offer = await waitForSlot(p, link.#linkId(), 'offer', () => link.#live);
      const received = await newDeviceReceiveOffer(link.#state, p.env, offer);
      link.#state = received.state;
      await p.http.links.put(link.#linkId(), 'reveal', received.reveal);
      hooks.alerts(received.alerts);
      hooks.phase({ phase: 'compare-codes', code: received.code });
    });
    return { link, payload: step.payload };
  }

  get keys(): DeviceKeys {
    return this.#keys;
  }

  #linkId(): Uint8Array {
    return this.#state.linkId;
  }

  /** Both screens show the same code? Then waits for the grant and calls `finish` with it opened. */
  confirm(same: boolean, finish: (state: NewDeviceLinkState) => Promise<void>): void {
    const step = newDeviceConfirmCode(this.#state, this.#p.env, same);
    this.#state = step.state;
    this.#hooks.alerts(step.alerts);
    if (!same) {
      this.#live = false;
      this.#hooks.phase({ phase: 'aborted', reason: 'the codes on the two screens differ' });
      return;
    }
    this.#hooks.phase({ phase: 'waiting-for-approval' });
    this.#background(async () => {
      const grant = await waitForSlot(this.#p, this.#linkId(), 'grant', () => this.#live);
      const opened = await newDeviceReceiveGrant(this.#state, this.#p.env, grant);
      this.#state = opened.state;
      this.#hooks.alerts(opened.alerts);
      await finish(opened.state);
      this.#hooks.phase({ phase: 'linked' });
    });
  }

  cancel(reason: string): void {
    this.#live = false;
    this.#state = cancelNewDeviceLink(this.#state, reason).state;
  }

  #background(work: () => Promise<void>): void {
    void work().catch((error: unknown) => {
      this.#live = false;
      this.#hooks.phase({ phase: 'aborted', reason: error instanceof Error ? error.message : String(error) });
    });
  }
}

/** The existing device's side. `release` publishes the next list and enrols the new device (the runtime's part). */
export class ExistingDeviceLink {
  #state: ExistingDeviceLinkState;
  #live = true;
  readonly #p: Platform;
  readonly #self: DeviceKeys;
  readonly #hooks: LinkHooks;

  private constructor(p: Platform, self: DeviceKeys, state: ExistingDeviceLinkState, hooks: LinkHooks) {
    this.#p = p;
    this.#self = self;
    this.#state = state;
    this.#hooks = hooks;
  }

  static async start(
    p: Platform,
    payload: Uint8Array,
    account: { readonly accountId: AccountId; readonly accountKey: Uint8Array },
    self: DeviceKeys,
    hooks: LinkHooks,
  ): Promise<ExistingDeviceLink> {
    const step = await startExistingDeviceLink(p.env, payload, account, self);
    const link = new ExistingDeviceLink(p, self, step.state, hooks);
    await p.http.links.put(step.state.linkId, 'offer', step.offer);
    hooks.phase({ phase: 'waiting-for-peer' });
    link.#background(async () => {
      const reveal = await waitForSlot(p, link.#state.linkId, 'reveal', () => link.#live);
      const received = await existingDeviceReceiveReveal(link.#state, p.env, reveal);
      link.#state = received.state;
      hooks.alerts(received.alerts);
      hooks.phase({ phase: 'compare-codes', code: received.code });
    });
    return link;
  }

  /** Codes equal: `release` lists the new device, then the grant goes to it. Codes differ: aborted, nothing released. */
  async confirm(
    same: boolean,
    profile: DeviceProfile,
    release: (released: LinkRelease) => Promise<void>,
  ): Promise<void> {
    const step = await existingDeviceConfirmCode(
      this.#state,
      this.#p.env,
      same ? { codesMatch: true, profile, self: this.#self, keyring: undefined } : { codesMatch: false },
    );
    this.#state = step.state;
    this.#hooks.alerts(step.alerts);
    if (step.release === undefined) {
      this.#live = false;
      this.#hooks.phase({ phase: 'aborted', reason: 'the codes on the two screens differ' });
      return;
    }
    await release(step.release);
    await this.#p.http.links.put(this.#state.linkId, 'grant', step.release.grant);
    this.#hooks.phase({ phase: 'linked' });
  }

  cancel(reason: string): void {
    this.#live = false;
    this.#state = cancelExistingDeviceLink(this.#state, reason).state;
  }

  #background(work: () => Promise<void>): void {
    void work().catch((error: unknown) => {
      this.#live = false;
      this.#hooks.phase({ phase: 'aborted', reason: error instanceof Error ? error.message : String(error) });
    });
  }
}
