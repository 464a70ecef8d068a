/**
 * A client's view of one account's key directory (docs/PROTOCOL.md §4.4; security brief §3 "Key
 * directory", F1, F10, F18, §4 "pin mismatch", "rogue device", "rollback", "split view").
 *
 * The view starts from the business fingerprint pinned in the embed snippet and accepts signed
 * device lists only when they chain to the pin: the first list's account key must have the pinned
 * fingerprint; later lists must be signed by the same key (or the key a verified rotation moved
 * to). It rejects rollback (a version lower than the newest accepted) and detects equivocation
 * (two different bodies for one version, or a version n+1 that does not chain to the accepted n),
 * keeping BOTH signed lists as evidence in the state.
 *
 * Transitions return a `DirectoryUpdate` value rather than throwing, because an equivocation must
 * both be refused AND change the state (the evidence). A rejection carries its typed error in
 * `rejected`; in every rejection except equivocation, `state` is the input state object itself.
 */
import { constantTimeEqual } from '../../crypto/index.js';
import { SealdeskError, SignatureError } from '../../errors/index.js';
import { type AccountId, idEquals, idToHex } from '../../wire/index.js';
import {
  ALERT_KINDS,
  type SecurityAlert,
  type ProtocolEnv,
  EquivocationError,
  PinMismatchError,
  ProtocolStateError,
  RollbackError,
  SUSPECTS,
  type DeviceList,
  type SignedDeviceList,
} from '../core/index.js';
import { decodeDeviceListBody } from './device-list-codec.js';
import { deviceListHash, validateDeviceList, verifySignedDeviceList } from './device-list.js';
import type { RotationStatement, SignedRotation } from './rotation-codec.js';
import { verifyRotation } from './rotation.js';
import { accountKeyMatchesPin, businessFingerprintBytes, parseBusinessPin } from '../identity/index.js';

export const DIRECTORY_VIEW_VERSION = 1;
/** Accepted lists kept (newest last) to tell an old list (rollback) from a forked one (equivocation). */
export const DIRECTORY_HISTORY = 8;
/** Equivocation proofs kept; later ones are still refused and alerted, not stored. */
export const DIRECTORY_MAX_EVIDENCE = 16;
/** Applied rotations kept for audit. */
export const DIRECTORY_MAX_ROTATIONS = 16;

export interface AcceptedList {
  readonly version: number;
  /** deviceListHash(signed.body). */
  readonly hash: Uint8Array;
  /** The list's own previousHash: what version − 1 must hash to. */
  readonly previousHash: Uint8Array;
  readonly signed: SignedDeviceList;
}

/** Proof of a split view: two lists the AIK signed with one version (or a fork of the chain). */
export interface EquivocationEvidence {
  readonly version: number;
  readonly first: SignedDeviceList;
  readonly second: SignedDeviceList;
  readonly detectedAt: number;
}

export interface DirectoryView {
  readonly version: typeof DIRECTORY_VIEW_VERSION;
  /** Fingerprint bytes of the account key trusted now (the snippet pin, then re-pinned by rotations). */
  readonly pin: Uint8Array;
  readonly accountId?: AccountId;
  /** The trusted account key, once a list with the pinned fingerprint was verified. */
  readonly accountKey?: Uint8Array;
  /** The newest accepted list, decoded. */
  readonly current?: DeviceList;
  /** Accepted lists, newest last, at most DIRECTORY_HISTORY. */
  readonly history: readonly AcceptedList[];
  readonly evidence: readonly EquivocationEvidence[];
  readonly rotations: readonly SignedRotation[];
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

/** A view trusting the business fingerprint `pin` (the snippet's text form). DecodeError for a malformed pin. */
export function createDirectoryView(pin: string): DirectoryView {
  return { version: DIRECTORY_VIEW_VERSION, pin: parseBusinessPin(pin), history: [], evidence: [], rotations: [] };
}

/** A view trusting a known account key (owner and agent devices, which learn it at account creation or linking). */
export async function createDirectoryViewForKey(accountKey: Uint8Array): Promise<DirectoryView> {
  return {
    version: DIRECTORY_VIEW_VERSION,
    pin: await businessFingerprintBytes(accountKey),
    history: [],
    evidence: [],
    rotations: [],
  };
}

/** Throws the rejection of an update, or returns it. */
export function requireAccepted(update: DirectoryUpdate): DirectoryUpdate {
  if (update.rejected !== undefined) throw update.rejected;
  return update;
}

function rejected(state: DirectoryView, error: SealdeskError, alert?: SecurityAlert): DirectoryUpdate {
  return {
    state,
    outcome: 'rejected',
    list: state.current,
    alerts: alert === undefined ? [] : [alert],
    rejected: error,
  };
}

function alert(kind: SecurityAlert['kind'], detail: string, evidence?: readonly Uint8Array[]): SecurityAlert {
  // PROTOCOL §7.8 suspects: the directory served it; two lists of one version were also signed by the AIK holder.
  const suspects = kind === ALERT_KINDS.equivocation ? [SUSPECTS.relay, SUSPECTS.accountKey] : [SUSPECTS.relay];
  return evidence === undefined ? { kind, detail, suspects } : { kind, detail, suspects, evidence };
}

function equivocation(
  view: DirectoryView,
  version: number,
  first: SignedDeviceList,
  second: SignedDeviceList,
  why: string,
  env: ProtocolEnv,
): DirectoryUpdate {
  const proof: EquivocationEvidence = { version, first, second, detectedAt: env.now() };
  const evidence = view.evidence.length < DIRECTORY_MAX_EVIDENCE ? [...view.evidence, proof] : view.evidence;
  const detail = `split view: ${why} (device list version ${version})`;
  const error = new EquivocationError(`${detail}; both signed lists are kept as evidence`);
  return rejected(
    { ...view, evidence },
    error,
    alert(ALERT_KINDS.equivocation, detail, [first.body, first.signature, second.body, second.signature]),
  );
}

/**
 * Feeds one signed device list from the untrusted directory into the view. Outcomes:
 * - accepted: the list verifies, chains to the pin, and is newer than the newest accepted one;
 * - unchanged: the newest accepted list delivered again;
 * - rejected, state unchanged: malformed (DecodeError / LimitError / InvalidDisplayNameError),
 *   another account or key (PinMismatchError, alert pin-mismatch, F1), bad signature
 *   (SignatureError, alert bad-signature), older than the newest (RollbackError, alert rollback);
 * - rejected, evidence added: equivocation (EquivocationError, alert equivocation).
 */
export async function receiveDeviceList(
  view: DirectoryView,
  signed: SignedDeviceList,
  env: ProtocolEnv,
): Promise<DirectoryUpdate> {
  let list: DeviceList;
  try {
    list = validateDeviceList(decodeDeviceListBody(signed.body));
  } catch (error) {
    if (error instanceof SealdeskError) return rejected(view, error);
    throw error;
  }
  if (view.accountId !== undefined && !idEquals(list.accountId, view.accountId)) {
    const detail = `a device list for account ${idToHex(list.accountId)} was served for account ${idToHex(view.accountId)}`;
    return rejected(view, new PinMismatchError(detail), alert(ALERT_KINDS.pinMismatch, detail));
  }
  // F1: the key must be the pinned one (first list) or the key already trusted (later lists).
  const keyTrusted =
    view.accountKey === undefined
      ? await accountKeyMatchesPin(list.accountKey, view.pin)
      : constantTimeEqual(list.accountKey, view.accountKey);
  if (!keyTrusted) {
    const detail = `device list version ${list.version} is signed for an account key that does not match the pinned business fingerprint`;
    return rejected(view, new PinMismatchError(detail), alert(ALERT_KINDS.pinMismatch, detail));
  }
  try {
    await verifySignedDeviceList(signed, list.accountKey);
  } catch (error) {
    if (!(error instanceof SealdeskError)) throw error;
    return rejected(
      view,
      error,
      error instanceof SignatureError ? alert(ALERT_KINDS.badSignature, error.message) : undefined,
    );
  }
  const hash = await deviceListHash(signed.body);
  const newest = view.history.at(-1);
  if (newest !== undefined) {
    if (list.version <= newest.version) {
      const seen = view.history.find((h) => h.version === list.version);
      if (seen !== undefined && constantTimeEqual(seen.hash, hash)) {
        if (seen === newest) return { state: view, outcome: 'unchanged', list: view.current, alerts: [] };
      } else if (seen !== undefined) {
        return equivocation(
          view,
          list.version,
          seen.signed,
          signed,
          'two different device lists carry one version',
          env,
        );
      }
      // A kept list of version v + 1 commits to the hash of version v: a different v is a fork.
      const successor = view.history.find((h) => h.version === list.version + 1);
      if (seen === undefined && successor !== undefined && !constantTimeEqual(successor.previousHash, hash)) {
        return equivocation(
          view,
          list.version,
          successor.signed,
          signed,
          `version ${successor.version} chains to a different version ${list.version}`,
          env,
        );
      }
      // Security brief §3: reject rollback (lower version than cached).
      const detail = `device list version ${list.version} is older than the accepted version ${newest.version}`;
      return rejected(view, new RollbackError(detail), alert(ALERT_KINDS.rollback, detail));
    }
    if (list.version === newest.version + 1 && !constantTimeEqual(list.previousHash, newest.hash)) {
      return equivocation(
        view,
        newest.version,
        newest.signed,
        signed,
        `version ${list.version} chains to a different version ${newest.version}`,
        env,
      );
    }
  }
  const history = [...view.history, { version: list.version, hash, previousHash: list.previousHash, signed }].slice(
    -DIRECTORY_HISTORY,
  );
  const state: DirectoryView = {
    ...view,
    accountId: list.accountId,
    accountKey: list.accountKey,
    current: list,
    history,
  };
  return { state, outcome: 'accepted', list, alerts: [] };
}

/**
 * Applies an account key rotation (F18). It must name the newest accepted list and its key, be
 * signed by that list's AIK or recovery key, and by the new key. On success the view re-pins to the
 * new key: later lists must be signed by it and chain to the newest accepted list.
 * Rejections leave the state unchanged: DecodeError, PinMismatchError (another account or an old
 * key, alert pin-mismatch), SignatureError (alert bad-signature), ProtocolStateError (the view has
 * no list yet or is not at the list the rotation names: fetch the newer lists first).
 */
export async function receiveRotation(view: DirectoryView, rotation: SignedRotation): Promise<DirectoryUpdate> {
  const newest = view.history.at(-1);
  const current = view.current;
  if (newest === undefined || current === undefined || view.accountKey === undefined) {
    return rejected(view, new ProtocolStateError('an account key rotation needs an accepted device list first'));
  }
  if (view.rotations.some((r) => constantTimeEqual(r.body, rotation.body))) {
    return { state: view, outcome: 'unchanged', list: current, alerts: [] };
  }
  if (!constantTimeEqual(current.accountKey, view.accountKey)) {
    return rejected(
      view,
      new ProtocolStateError('a previous account key rotation awaits its first device list under the new key'),
    );
  }
  let statement: RotationStatement;
  try {
    statement = await verifyRotation(rotation, current);
  } catch (error) {
    if (!(error instanceof SealdeskError)) throw error;
    return rejected(
      view,
      error,
      error instanceof SignatureError ? alert(ALERT_KINDS.badSignature, error.message) : undefined,
    );
  }
  if (
    !idEquals(statement.accountId, current.accountId) ||
    !constantTimeEqual(statement.oldAccountKey, view.accountKey)
  ) {
    const detail = 'the account key rotation is for another account or an account key that is no longer trusted';
    return rejected(view, new PinMismatchError(detail), alert(ALERT_KINDS.pinMismatch, detail));
  }
  if (statement.lastListVersion !== newest.version || !constantTimeEqual(statement.lastListHash, newest.hash)) {
    return rejected(
      view,
      new ProtocolStateError(
        `the rotation names device list version ${statement.lastListVersion}, the view is at version ${newest.version}`,
      ),
    );
  }
  const rotations = [...view.rotations, rotation].slice(-DIRECTORY_MAX_ROTATIONS);
  const state: DirectoryView = {
    ...view,
    pin: await businessFingerprintBytes(statement.newAccountKey),
    accountKey: new Uint8Array(statement.newAccountKey),
    rotations,
  };
  return { state, outcome: 'accepted', list: current, alerts: [] };
}
