/**
 * State of a device-linking attempt on each side (docs/PROTOCOL.md §10.4). Plain,
 * structured-cloneable data (the only keys are non-extractable CryptoKeys) with a `version`
 * field; every transition returns a new state and never mutates its input.
 *
 * Existing device: awaiting-hello -> awaiting-confirmation -> released
 * New device:      awaiting-offer -> awaiting-confirmation -> confirmed -> linked
 * Either side:     any phase -> aborted (codes differ, or the user cancels); aborted is final.
 */
import type { X25519KeyPair } from '../../crypto/index.js';
import type { AccountId, DeviceId } from '../../wire/index.js';
import type { SecurityAlert, DeviceEntry, DeviceKind } from '../core/index.js';

export const LINK_STATE_VERSION = 1;

export const LINK_PHASES = {
  awaitingHello: 'awaiting-hello',
  awaitingOffer: 'awaiting-offer',
  awaitingConfirmation: 'awaiting-confirmation',
  confirmed: 'confirmed',
  linked: 'linked',
  released: 'released',
  aborted: 'aborted',
} as const;

/** The public keys of the device being linked, as its hello named them. */
export interface LinkedDeviceKeys {
  readonly deviceId: DeviceId;
  readonly signingKey: Uint8Array;
  readonly dhIdentityKey: Uint8Array;
  /** The new device's own kind, sent in its hello and signed by its proof of possession (§10.2). */
  readonly kind: DeviceKind;
}

/** The existing device that vouches for the new one, as the new device learned it (committed in the QR). */
export interface LinkSponsor {
  readonly deviceId: DeviceId;
  readonly signingKey: Uint8Array;
}

interface Base {
  readonly version: typeof LINK_STATE_VERSION;
  readonly accountId: AccountId;
  readonly linkId: Uint8Array;
  /** env.now() when this side started; LINKING_LIMITS.ttlMs applies from here. */
  readonly startedAt: number;
}

interface Agreed {
  readonly transcript: Uint8Array;
  readonly code: string;
  readonly channelKey: CryptoKey;
  readonly channelIv: Uint8Array;
}

type NewAgreed = Base &
  Agreed & {
    readonly side: 'new';
    readonly device: LinkedDeviceKeys;
    /** The agent named in the payload, which this device's proof of possession signed. */
    readonly agentId: Uint8Array;
    readonly accountKey: Uint8Array;
    readonly sponsor: LinkSponsor;
  };

export type NewDeviceLinkState =
  | (Base & {
      readonly side: 'new';
      readonly phase: typeof LINK_PHASES.awaitingOffer;
      /** The scanned payload, re-encoded canonically. */
      readonly payload: Uint8Array;
      readonly commitment: Uint8Array;
      readonly hello: Uint8Array;
      readonly ephemeral: X25519KeyPair;
      readonly device: LinkedDeviceKeys;
      readonly agentId: Uint8Array;
    })
  | (NewAgreed & { readonly phase: typeof LINK_PHASES.awaitingConfirmation })
  | (NewAgreed & { readonly phase: typeof LINK_PHASES.confirmed })
  | (Base & {
      readonly side: 'new';
      readonly phase: typeof LINK_PHASES.linked;
      readonly accountKey: Uint8Array;
      readonly sponsor: LinkSponsor;
      readonly entry: DeviceEntry;
      readonly archiveGrantCount: number;
    })
  | (Base & { readonly side: 'new'; readonly phase: typeof LINK_PHASES.aborted; readonly reason: string });

interface ExistingBase extends Base {
  readonly side: 'existing';
  readonly selfDeviceId: DeviceId;
  /** The agent the new device will belong to (in the payload, signed by the new device's proof). */
  readonly agentId: Uint8Array;
}

export type ExistingDeviceLinkState =
  | (ExistingBase & {
      readonly phase: typeof LINK_PHASES.awaitingHello;
      readonly payload: Uint8Array;
      /** The committed offer, sent only once the hello arrived. */
      readonly offer: Uint8Array;
      readonly ephemeral: X25519KeyPair;
    })
  | (ExistingBase &
      Agreed & {
        readonly phase: typeof LINK_PHASES.awaitingConfirmation;
        readonly newDevice: LinkedDeviceKeys;
        /** The new device's verified proof of possession (linking-proof-of-possession.ts). */
        readonly proofOfPossession: Uint8Array;
      })
  | (Base & { readonly side: 'existing'; readonly phase: typeof LINK_PHASES.released; readonly entry: DeviceEntry })
  | (Base & { readonly side: 'existing'; readonly phase: typeof LINK_PHASES.aborted; readonly reason: string });

/** What every linking transition returns besides its outputs. */
export interface LinkStep<S> {
  readonly state: S;
  readonly alerts: readonly SecurityAlert[];
}
