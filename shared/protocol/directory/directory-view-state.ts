/**
 * The state of a client's view of one account's key directory (docs/PROTOCOL.md §4.4, §11.3) and
 * the small helpers its transitions share (directory-view.ts for lists, directory-view-rotation.ts
 * for rotations). Transitions return a `DirectoryUpdate` value rather than throwing, because an
 * equivocation must both be refused AND change the state (the evidence).
 */
import { constantTimeEqual } from '../../crypto/index.js';
import type { SealdeskError } from '../../errors/index.js';
import type { AccountId } from '../../wire/index.js';
import {
  ALERT_KINDS,
  type AlertSuspect,
  type DeviceList,
  type SecurityAlert,
  type SignedDeviceList,
  SUSPECTS,
} from '../core/index.js';
import type { SignedRotation } from './rotation-codec.js';

export const DIRECTORY_VIEW_VERSION = 2;
/** Signed lists kept (newest last) to tell an old list (rollback) from a forked one (equivocation), with evidence. */
export const DIRECTORY_HISTORY = 8;
/** Chain links kept (newest last): the lists a recovery rotation may start from (§11.3). */
export const DIRECTORY_MAX_LINKS = 1024;
/** Equivocation proofs kept; later ones are still refused and alerted, not stored. */
export const DIRECTORY_MAX_EVIDENCE = 16;
/** Applied rotations kept, to tell a second rotation from the same list (equivocation). */
export const DIRECTORY_MAX_ROTATIONS = 16;

export interface AcceptedList {
  readonly version: number;
  /** deviceListHash(signed.body). */
  readonly hash: Uint8Array;
  /** The list's own previousHash: what version − 1 must hash to. */
  readonly previousHash: Uint8Array;
  readonly signed: SignedDeviceList;
}

/** One accepted version of the chain, without its body: what a rotation's base is checked against. */
export interface ChainLink {
  readonly version: number;
  readonly hash: Uint8Array;
  readonly previousHash: Uint8Array;
  readonly accountKey: Uint8Array;
  readonly recoveryKey?: Uint8Array;
}

/** Proof of a split view: two lists the AIK signed with one version (or a fork of the chain). */
export interface EquivocationEvidence {
  readonly version: number;
  readonly first: SignedDeviceList;
  readonly second: SignedDeviceList;
  readonly detectedAt: number;
}

/** Proof of two different rotations from one list (PROTOCOL §11.3). */
export interface RotationEquivocationEvidence {
  readonly baseVersion: number;
  readonly first: SignedRotation;
  readonly second: SignedRotation;
  readonly detectedAt: number;
}

export interface DirectoryView {
  readonly version: typeof DIRECTORY_VIEW_VERSION;
  /** Fingerprint bytes of the account key trusted now (the snippet pin, then re-pinned by rotations). */
  readonly pin: Uint8Array;
  readonly accountId?: AccountId;
  /** The trusted account key, once a list with the pinned fingerprint was verified. */
  readonly accountKey?: Uint8Array;
  /**
   * The newest accepted list, decoded. Undefined before the first list, and after a recovery
   * rotation whose base is older than the kept signed lists, until the first list under the new key.
   */
  readonly current?: DeviceList;
  /** Accepted signed lists, newest last, at most DIRECTORY_HISTORY. */
  readonly history: readonly AcceptedList[];
  /** Accepted chain links, newest last, at most DIRECTORY_MAX_LINKS. */
  readonly links: readonly ChainLink[];
  readonly evidence: readonly EquivocationEvidence[];
  readonly rotations: readonly SignedRotation[];
  readonly rotationEvidence: readonly RotationEquivocationEvidence[];
  /** Base version of the last applied recovery rotation: a later one must start after it. */
  readonly recoveryBase?: number;
}

export type DirectoryOutcome = 'accepted' | 'unchanged' | 'rejected';

export interface DirectoryUpdate {
  readonly state: DirectoryView;
  readonly outcome: DirectoryOutcome;
  /** The newest accepted list after this step (undefined before the first one). */
  readonly list: DeviceList | undefined;
  readonly alerts: readonly SecurityAlert[];
  /** The typed error of a rejection. */
  readonly rejected?: SealdeskError;
}

export function rejected(state: DirectoryView, error: SealdeskError, alert?: SecurityAlert): DirectoryUpdate {
  return {
    state,
    outcome: 'rejected',
    list: state.current,
    alerts: alert === undefined ? [] : [alert],
    rejected: error,
  };
}

/** PROTOCOL §7.8 suspects: the directory served it; what the AIK signed twice was also signed by its holder. */
export function directoryAlert(
  kind: SecurityAlert['kind'],
  detail: string,
  evidence?: readonly Uint8Array[],
  suspects: readonly AlertSuspect[] = kind === ALERT_KINDS.equivocation
    ? [SUSPECTS.relay, SUSPECTS.accountKey]
    : [SUSPECTS.relay],
): SecurityAlert {
  return evidence === undefined ? { kind, detail, suspects } : { kind, detail, suspects, evidence };
}

/** Whether the view moved to a new key (a rotation) and waits for the first list it signs. */
export function awaitingFirstListUnderNewKey(view: DirectoryView): boolean {
  const newest = view.links.at(-1);
  return (
    newest !== undefined && view.accountKey !== undefined && !constantTimeEqual(newest.accountKey, view.accountKey)
  );
}
