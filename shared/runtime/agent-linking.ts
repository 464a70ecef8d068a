/**
 * The runtime side of device linking (PROTOCOL §10, commit-then-reveal with a 6-digit code, the
 * EXISTING device shows the code): both sides' transitions of shared/protocol/linking, driven over
 * the relay's link mailbox (`/v1/links/:linkId/(hello|offer|grant)`, each slot written once).
 * Nothing is released before both people said the codes match; a mismatch aborts with the
 * protocol's alert.
 *
 *   existing device (holds the account key in this build)   new device
 *   startLinkAsExistingDevice → QR/code (commits to offer)    linkAsNewDevice(scanned) → PUT hello
 *   GET hello (proof of possession) → PUT offer → code        GET offer (checked against QR) → code
 *   confirmLink(true) → next list signed, published; the      confirmLink(true)
 *   new device's relay key enrolled; PUT grant                GET grant → enrolled, online
 */
import { SealdeskError } from '../errors/index.js';
import {
  type ArchiveKeyring,
  type DeviceKeys,
  type DeviceProfile,
  type ExistingDeviceLinkState,
  type LinkAccount,
  type LinkRelease,
  type NewDeviceLinkState,
  type SecurityAlert,
  cancelExistingDeviceLink,
  cancelNewDeviceLink,
  existingDeviceConfirmCode,
  existingDeviceReceiveHello,
  newDeviceConfirmCode,
  newDeviceReceiveGrant,
  newDeviceReceiveOffer,
  startExistingDeviceLink,
  startNewDeviceLink,
} from '../protocol/index.js';
import type { LinkSlot } from '../transport/index.js';
import type { AgentDeviceKind, LinkPhase } from './api-agent.js';
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

/** One link attempt's liveness and its background steps (an error aborts it, told as a phase). */
abstract class LinkAttempt {
  protected live = true;
  protected readonly p: Platform;
  protected readonly hooks: LinkHooks;

  protected constructor(p: Platform, hooks: LinkHooks) {
    this.p = p;
    this.hooks = hooks;
  }

  protected background(work: () => Promise<void>): void {
    void work().catch((error: unknown) => {
      if (!this.live) return;
      this.live = false;
      this.hooks.phase({ phase: 'aborted', reason: error instanceof Error ? error.message : String(error) });
    });
  }

  protected abortedByMismatch(): void {
    this.live = false;
    this.hooks.phase({ phase: 'aborted', reason: 'the codes on the two screens differ' });
  }
}

/** The new device's side: scanned the payload, sends its hello. `finish` enrols it once the grant opened. */
export class NewDeviceLink extends LinkAttempt {
  #state: NewDeviceLinkState;
  readonly #keys: DeviceKeys;

  private constructor(p: Platform, keys: DeviceKeys, state: NewDeviceLinkState, hooks: LinkHooks) {
    super(p, hooks);
    this.#keys = keys;
    this.#state = state;
  }

  static async start(
    p: Platform,
    payload: Uint8Array,
    keys: DeviceKeys,
    kind: AgentDeviceKind,
    hooks: LinkHooks,
  ): Promise<NewDeviceLink> {
    const step = await startNewDeviceLink(p.env, payload, keys, kind);
    const link = new NewDeviceLink(p, keys, step.state, hooks);
    await p.http.links.put(step.state.linkId, 'hello', step.hello);
    hooks.phase({ phase: 'waiting-for-peer' });
    link.background(async () => {
      const offer = await waitForSlot(p, link.#state.linkId, 'offer', () => link.live);
      const received = await newDeviceReceiveOffer(link.#state, p.env, offer);
      link.#state = received.state;
      hooks.alerts(received.alerts);
      hooks.phase({ phase: 'compare-codes', code: received.code });
    });
    return link;
  }

  get keys(): DeviceKeys {
    return this.#keys;
  }

  /** Both screens show the same code? Then waits for the grant and calls `finish` with it opened. */
  confirm(same: boolean, finish: (state: NewDeviceLinkState) => Promise<void>): void {
    const step = newDeviceConfirmCode(this.#state, this.p.env, same);
    this.#state = step.state;
    this.hooks.alerts(step.alerts);
    if (!same) {
      this.abortedByMismatch();
      return;
    }
    this.hooks.phase({ phase: 'waiting-for-approval' });
    this.background(async () => {
      const grant = await waitForSlot(this.p, this.#state.linkId, 'grant', () => this.live);
      const opened = await newDeviceReceiveGrant(this.#state, this.p.env, grant);
      this.#state = opened.state;
      this.hooks.alerts(opened.alerts);
      await finish(opened.state);
      this.hooks.phase({ phase: 'linked' });
    });
  }

  cancel(reason: string): void {
    this.live = false;
    this.#state = cancelNewDeviceLink(this.#state, reason).state;
  }
}

/** The existing device's side: shows the payload. `release` publishes the next list and enrols the new device. */
export class ExistingDeviceLink extends LinkAttempt {
  #state: ExistingDeviceLinkState;
  readonly #self: DeviceKeys;

  private constructor(p: Platform, self: DeviceKeys, state: ExistingDeviceLinkState, hooks: LinkHooks) {
    super(p, hooks);
    this.#self = self;
    this.#state = state;
  }

  /** The payload to show (QR bytes); the new device's hello is awaited in the background. */
  static async start(
    p: Platform,
    account: LinkAccount,
    self: DeviceKeys,
    agentId: Uint8Array,
    hooks: LinkHooks,
  ): Promise<{ link: ExistingDeviceLink; payload: Uint8Array }> {
    const step = await startExistingDeviceLink(p.env, account, self, agentId);
    const link = new ExistingDeviceLink(p, self, step.state, hooks);
    hooks.phase({ phase: 'waiting-for-peer' });
    link.background(async () => {
      const hello = await waitForSlot(p, link.#state.linkId, 'hello', () => link.live);
      const received = await existingDeviceReceiveHello(link.#state, p.env, hello);
      link.#state = received.state;
      await p.http.links.put(received.state.linkId, 'offer', received.offer);
      hooks.alerts(received.alerts);
      hooks.phase({ phase: 'compare-codes', code: received.code });
    });
    return { link, payload: step.payload };
  }

  /** Codes equal: `release` lists the new device, then the grant goes to it. Codes differ: aborted, nothing released. */
  async confirm(
    same: boolean,
    profile: DeviceProfile,
    keyring: ArchiveKeyring | undefined,
    release: (released: LinkRelease) => Promise<void>,
  ): Promise<void> {
    const step = await existingDeviceConfirmCode(
      this.#state,
      this.p.env,
      same ? { codesMatch: true, profile, self: this.#self, keyring } : { codesMatch: false },
    );
    this.#state = step.state;
    this.hooks.alerts(step.alerts);
    if (step.release === undefined) {
      this.abortedByMismatch();
      return;
    }
    await release(step.release);
    await this.p.http.links.put(this.#state.linkId, 'grant', step.release.grant);
    this.hooks.phase({ phase: 'linked' });
  }

  cancel(reason: string): void {
    this.live = false;
    this.#state = cancelExistingDeviceLink(this.#state, reason).state;
  }
}
