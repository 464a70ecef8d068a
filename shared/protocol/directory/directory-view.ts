/**
 * A client's view of one account's key directory (docs/PROTOCOL.md §4.4; security brief §3 "Key
 * directory", F1, F10, F18, §4 "pin mismatch", "rogue device", "rollback", "split view").
 *
 * The view starts from the business fingerprint pinned in the embed snippet and accepts signed
 * device lists only when they chain to the pin: the first list's account key must have the pinned
 * fingerprint; later lists must be signed by the same key (or the key a verified rotation moved
 * to). It moves one version at a time (no jump, issue #9 item 8), rejects rollback (a version
 * lower than the newest accepted), refuses a list that changes the recovery key without a recovery
 * rotation (issue #17 item 1) or breaks the sponsor rule (#17 item 2), and detects equivocation
 * (two different bodies for one version, or a version n+1 that does not chain to the accepted n),
 * keeping BOTH signed lists as evidence in the state. Rotations: directory-view-rotation.ts.
 *
 * Transitions return a `DirectoryUpdate` value rather than throwing, because an equivocation must
 * both be refused AND change the state (the evidence). A rejection carries its typed error in
 * `rejected`; in every rejection except equivocation, `state` is the input state object itself.
 */
import { constantTimeEqual } from '../../crypto/index.js';
import { SealdeskError, SignatureError } from '../../errors/index.js';
import { idEquals, idToHex } from '../../wire/index.js';
import {
  ALERT_KINDS,
  type ProtocolEnv,
  DeviceListGapError,
  EquivocationError,
  PinMismatchError,
  RecoveryKeyChangeError,
  RollbackError,
  SUSPECTS,
  type DeviceList,
  type SignedDeviceList,
} from '../core/index.js';
import { decodeDeviceListBody } from './device-list-codec.js';
import { checkSponsors, deviceListHash, validateDeviceList, verifySignedDeviceList } from './device-list.js';
import {
  accountKeyMatchesPin,
  businessFingerprint,
  businessFingerprintBytes,
  parseBusinessPin,
} from '../identity/index.js';
import {
  type ChainLink,
  DIRECTORY_HISTORY,
  DIRECTORY_MAX_EVIDENCE,
  DIRECTORY_MAX_LINKS,
  DIRECTORY_VIEW_VERSION,
  type DirectoryUpdate,
  type DirectoryView,
  type EquivocationEvidence,
  awaitingFirstListUnderNewKey,
  directoryAlert as alert,
  rejected,
} from './directory-view-state.js';
import { decodeRotationStatement } from './rotation-codec.js';

const EMPTY = { history: [], links: [], evidence: [], rotations: [], rotationEvidence: [] } as const;

/** A view trusting the business fingerprint `pin` (the snippet's text form). DecodeError for a malformed pin. */
export function createDirectoryView(pin: string): DirectoryView {
  return { version: DIRECTORY_VIEW_VERSION, pin: parseBusinessPin(pin), ...EMPTY };
}

/** A view trusting a known account key (owner and agent devices, which learn it at account creation or linking). */
export async function createDirectoryViewForKey(accountKey: Uint8Array): Promise<DirectoryView> {
  return {
    version: DIRECTORY_VIEW_VERSION,
    pin: await businessFingerprintBytes(accountKey),
    ...EMPTY,
  };
}

/**
 * PROTOCOL §4.4 "Refreshing": the directory answered that the account has no device list, yet this
 * view accepted one: the relay withholds or lost what it served before (RollbackError, alert
 * rollback). A view that never accepted a list is unchanged.
 */
export function receiveNoDeviceList(view: DirectoryView): DirectoryUpdate {
  const newest = view.links.at(-1);
  if (newest === undefined) return { state: view, outcome: 'unchanged', list: view.current, alerts: [] };
  const detail = `the directory served no device list, but version ${newest.version} was accepted before`;
  return rejected(view, new RollbackError(detail), alert(ALERT_KINDS.rollback, detail));
}

/** Throws the rejection of an update, or returns it. */
export function requireAccepted(update: DirectoryUpdate): DirectoryUpdate {
  if (update.rejected !== undefined) throw update.rejected;
  return update;
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
 *   (SignatureError, alert bad-signature, also for a bad proof of possession), older than the newest
 *   (RollbackError, alert rollback), more than one version ahead (DeviceListGapError, no alert),
 *   a sponsor not in the previous list (DecodeError), the recovery key changed or dropped without a
 *   recovery rotation (RecoveryKeyChangeError, alert recovery-key-change);
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
    const servedFingerprint = await businessFingerprint(list.accountKey);
    return rejected(view, new PinMismatchError(detail, { servedFingerprint }), alert(ALERT_KINDS.pinMismatch, detail));
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
  const newest = view.links.at(-1);
  if (newest !== undefined) {
    if (list.version <= newest.version) return olderOrSame(view, list, signed, hash, newest, env);
    // PROTOCOL §4.4 (issue #9 item 8): no jump — every intermediate list is checked link by link.
    if (list.version > newest.version + 1) {
      return rejected(
        view,
        new DeviceListGapError(
          `device list version ${list.version} skips versions ${newest.version + 1}..${list.version - 1}: fetch them first`,
        ),
      );
    }
    if (!constantTimeEqual(list.previousHash, newest.hash)) {
      const kept = view.history.find((h) => h.version === newest.version);
      if (kept !== undefined) {
        return equivocation(
          view,
          newest.version,
          kept.signed,
          signed,
          `version ${list.version} chains to a different version ${newest.version}`,
          env,
        );
      }
      const detail = `device list version ${list.version} does not chain to the accepted version ${newest.version}`;
      return rejected(view, new EquivocationError(detail), alert(ALERT_KINDS.equivocation, detail));
    }
    if (view.current?.version === newest.version) {
      try {
        checkSponsors(view.current, list);
      } catch (error) {
        if (error instanceof SealdeskError) return rejected(view, error);
        throw error;
      }
    }
    const recoveryChange = unauthorisedRecoveryChange(view, newest, list);
    if (recoveryChange !== undefined) {
      return rejected(
        view,
        new RecoveryKeyChangeError(recoveryChange),
        alert(ALERT_KINDS.recoveryKeyChange, recoveryChange, undefined, [SUSPECTS.accountKey, SUSPECTS.relay]),
      );
    }
  }
  return accept(view, list, signed, hash);
}

/** A list of a version the view already passed: unchanged, equivocation, or rollback (§4.4 step 5). */
function olderOrSame(
  view: DirectoryView,
  list: DeviceList,
  signed: SignedDeviceList,
  hash: Uint8Array,
  newest: ChainLink,
  env: ProtocolEnv,
): DirectoryUpdate {
  const seen = view.history.find((h) => h.version === list.version);
  const link = view.links.find((l) => l.version === list.version);
  if (link !== undefined && constantTimeEqual(link.hash, hash)) {
    if (link === newest) return { state: view, outcome: 'unchanged', list: view.current, alerts: [] };
  } else if (seen !== undefined) {
    return equivocation(view, list.version, seen.signed, signed, 'two different device lists carry one version', env);
  } else if (link !== undefined) {
    // The accepted list of this version is no longer kept in full: its chain hash still proves the fork.
    const detail = `split view: a device list of version ${list.version} other than the accepted one`;
    return rejected(
      view,
      new EquivocationError(detail),
      alert(ALERT_KINDS.equivocation, detail, [signed.body, signed.signature]),
    );
  }
  // A kept list of version v + 1 commits to the hash of version v: a different v is a fork.
  const successor = view.history.find((h) => h.version === list.version + 1);
  if (link === undefined && successor !== undefined && !constantTimeEqual(successor.previousHash, hash)) {
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

/**
 * PROTOCOL §4.4, §11.3 (issue #17 item 1): only the recovery key may change the recovery-key
 * field. A list that changes or drops its predecessor's recovery key is refused unless it is the
 * first list after a rotation signed by that recovery key. Setting one where none was is allowed
 * (no recovery key: nothing to protect). Returns why it is refused, or undefined.
 */
function unauthorisedRecoveryChange(view: DirectoryView, previous: ChainLink, list: DeviceList): string | undefined {
  if (previous.recoveryKey === undefined) return undefined;
  if (list.recoveryKey !== undefined && constantTimeEqual(list.recoveryKey, previous.recoveryKey)) return undefined;
  const last = view.rotations.at(-1);
  if (awaitingFirstListUnderNewKey(view) && last !== undefined) {
    const statement = decodeRotationStatement(last.body);
    if (statement.authority === 'recovery-key' && statement.lastListVersion === previous.version) return undefined;
  }
  const what = list.recoveryKey === undefined ? 'drops' : 'replaces';
  return `device list version ${list.version} ${what} the recovery key of version ${previous.version} without a rotation signed by that recovery key`;
}

function accept(view: DirectoryView, list: DeviceList, signed: SignedDeviceList, hash: Uint8Array): DirectoryUpdate {
  const history = [...view.history, { version: list.version, hash, previousHash: list.previousHash, signed }].slice(
    -DIRECTORY_HISTORY,
  );
  const link: ChainLink = {
    version: list.version,
    hash,
    previousHash: list.previousHash,
    accountKey: list.accountKey,
    ...(list.recoveryKey === undefined ? {} : { recoveryKey: list.recoveryKey }),
  };
  const state: DirectoryView = {
    ...view,
    accountId: list.accountId,
    accountKey: list.accountKey,
    current: list,
    history,
    links: [...view.links, link].slice(-DIRECTORY_MAX_LINKS),
  };
  return { state, outcome: 'accepted', list, alerts: [] };
}
