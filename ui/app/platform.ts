/**
 * What differs between the extension and the PWA, as seen by the shared UI. Each app passes one
 * AgentPlatform to createAgentApp; ui/ never asks which app it runs in beyond this.
 */
import type { AgentDeviceKind } from '../../shared/runtime/index.js';
import type { PushSubscriptionKeys } from '../../shared/transport/index.js';

/** The browser's Web Push subscription of this app (the PWA; the extension has none). */
export interface PushPlatform {
  /** The subscription this browser holds for the app, if any. */
  current(): Promise<PushSubscriptionKeys | undefined>;
  /** Asks for notification permission and subscribes with the relay's VAPID key (65 bytes). */
  subscribe(applicationServerKey: Uint8Array): Promise<PushSubscriptionKeys>;
  unsubscribe(): Promise<void>;
}

/**
 * When this device is idle (issue #15 item 1): the extension asks the browser (`idle` permission,
 * the whole computer's input), the PWA watches its own page (activity-idle.ts).
 */
export interface IdlePlatform {
  /** `listener(true)` after `minutes` without use, `listener(false)` when in use again; returns stop. */
  watch(minutes: number, listener: (idle: boolean) => void): () => void;
}

export interface AgentPlatform {
  readonly deviceKind: AgentDeviceKind;
  /** Relay address proposed at onboarding: the PWA's own origin, nothing in the extension. */
  readonly suggestedRelayUrl: string;
  /**
   * Ask the browser for access to the relay (the extension's optional host permission, requested
   * at onboarding and not at install). Resolves false when the person declines.
   */
  requestRelayAccess(relayUrl: string): Promise<boolean>;
  /** Whether this app may offer the camera to scan a QR code (the PWA); otherwise codes are pasted. */
  readonly canScan: boolean;
  /** Opens the full-tab inbox (the extension's side panel offers it). */
  readonly openFullTab?: () => void;
  /** Runs `listener` each time the runtime's host (re)connected, so the UI re-reads its data. */
  onRuntimeAttach(listener: () => void): () => void;
  /** PWA: runs `listener` when a new version is installed and waiting; `apply` switches to it. */
  readonly onUpdateReady?: (listener: (apply: () => void) => void) => void;
  /** PWA: Web Push while the app is closed (PROTOCOL §16.9). */
  readonly push?: PushPlatform;
  /** Idle detection for automatic away (ui/app/auto-away.ts). */
  readonly idle: IdlePlatform;
}
