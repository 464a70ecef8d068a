/**
 * Account key rotations in a client's directory view (docs/PROTOCOL.md §11.3; security brief F18;
 * issue #17 item 1).
 *
 * A rotation names the list it starts from (its base: version and chain hash). An account-key
 * rotation must start from the newest accepted list. A recovery-key rotation may start from any
 * kept link after the last recovery base: it wins over everything the old account key signed
 * after its base (lists, and its own rotations), because a thief with the account key must not
 * beat the recovery key — the view switches to the recovery branch and raises `recovery-override`
 * with the overridden statements as evidence. Two different rotations from one base are
 * equivocation (both kept); an account-key rotation and a recovery one from one base are too, and
 * the recovery one wins.
 */
import { constantTimeEqual } from '../../crypto/index.js';
import { SealdeskError, SignatureError } from '../../errors/index.js';
import { idEquals } from '../../wire/index.js';
import {
  ALERT_KINDS,
  EquivocationError,
  PinMismatchError,
  ProtocolStateError,
  type DeviceList,
  type ProtocolEnv,
  RollbackError,
  type SecurityAlert,
  SUSPECTS,
} from '../core/index.js';
import { businessFingerprintBytes } from '../identity/index.js';
import { decodeDeviceListBody } from './device-list-codec.js';
import {
  type ChainLink,
  DIRECTORY_MAX_EVIDENCE,
  DIRECTORY_MAX_ROTATIONS,
  type DirectoryUpdate,
  type DirectoryView,
  awaitingFirstListUnderNewKey,
  directoryAlert as alert,
  rejected,
} from './directory-view-state.js';
import {
  ROTATION_AUTHORITIES,
  type RotationStatement,
  type SignedRotation,
  decodeRotationStatement,
  encodeSignedRotation,
} from './rotation-codec.js';
import { verifyRotation } from './rotation.js';

/** Two rotations from one base (PROTOCOL §11.3 step 6); both signed statements travel with the error. */
export class RotationEquivocationError extends EquivocationError {
  constructor(
    message: string,
    readonly first: SignedRotation,
    readonly second: SignedRotation,
  ) {
    super(message);
  }
}

function sameBase(a: RotationStatement, b: RotationStatement): boolean {
  return a.lastListVersion === b.lastListVersion && constantTimeEqual(a.lastListHash, b.lastListHash);
}

function authorityLabel(statement: RotationStatement): string {
  return statement.authority === ROTATION_AUTHORITIES.recoveryKey ? 'recovery key' : 'account key';
}

/**
 * Applies an account key rotation (F18, #17.1) to `view`. Rejections leave the state unchanged,
 * except equivocation (evidence added): DecodeError; ProtocolStateError (no list yet, base not
 * kept or newer than the view, an account-key rotation not from the newest list or while another
 * awaits its first list); SignatureError (alert bad-signature); PinMismatchError (another account,
 * or an old key that is not the base's, alert pin-mismatch); RollbackError (a recovery rotation
 * from before the last recovery base, alert rollback); EquivocationError (a second rotation from
 * one base, alert equivocation with both encoded rotations).
 */
export async function receiveRotation(
  view: DirectoryView,
  rotation: SignedRotation,
  env: ProtocolEnv,
): Promise<DirectoryUpdate> {
  const newest = view.links.at(-1);
  if (newest === undefined || view.accountKey === undefined || view.accountId === undefined) {
    return rejected(view, new ProtocolStateError('an account key rotation needs an accepted device list first'));
  }
  if (view.rotations.some((r) => constantTimeEqual(r.body, rotation.body))) {
    return { state: view, outcome: 'unchanged', list: view.current, alerts: [] };
  }
  let statement: RotationStatement;
  try {
    statement = decodeRotationStatement(rotation.body);
  } catch (error) {
    if (error instanceof SealdeskError) return rejected(view, error);
    throw error;
  }
  const base = view.links.find(
    (l) => l.version === statement.lastListVersion && constantTimeEqual(l.hash, statement.lastListHash),
  );
  if (base === undefined) {
    const where = statement.lastListVersion > newest.version ? 'newer than' : 'not one of the lists kept by';
    return rejected(
      view,
      new ProtocolStateError(
        `the rotation starts from device list version ${statement.lastListVersion}, ${where} this view (at ${newest.version}): fetch the lists first`,
      ),
    );
  }
  try {
    await verifyRotation(rotation, base);
  } catch (error) {
    if (!(error instanceof SealdeskError)) throw error;
    const signature = error instanceof SignatureError;
    return rejected(view, error, signature ? alert(ALERT_KINDS.badSignature, error.message) : undefined);
  }
  if (!idEquals(statement.accountId, view.accountId) || !constantTimeEqual(statement.oldAccountKey, base.accountKey)) {
    const detail = 'the account key rotation is for another account or an account key that did not sign its base list';
    return rejected(view, new PinMismatchError(detail), alert(ALERT_KINDS.pinMismatch, detail));
  }
  const rival = view.rotations.find((r) => sameBase(decodeRotationStatement(r.body), statement));
  const recovery = statement.authority === ROTATION_AUTHORITIES.recoveryKey;
  if (rival !== undefined) {
    const rivalIsRecovery = decodeRotationStatement(rival.body).authority === ROTATION_AUTHORITIES.recoveryKey;
    const proof = rotationEquivocation(view, rival, rotation, statement, env);
    // The recovery key wins over the account key (#17.1); any other pair is refused.
    if (!recovery || rivalIsRecovery) return rejected(proof.state, proof.error, proof.alert);
    return recoverySwitch(proof.state, rotation, statement, base, [proof.alert]);
  }
  if (recovery) {
    if (view.recoveryBase !== undefined && base.version <= view.recoveryBase) {
      const detail = `a recovery rotation from device list version ${base.version} starts before the last recovery (version ${view.recoveryBase})`;
      return rejected(view, new RollbackError(detail), alert(ALERT_KINDS.rollback, detail));
    }
    return recoverySwitch(view, rotation, statement, base, []);
  }
  if (base !== newest || awaitingFirstListUnderNewKey(view)) {
    return rejected(
      view,
      new ProtocolStateError(
        `an account-key rotation must start from the newest list (version ${newest.version}) and follow a completed rotation`,
      ),
    );
  }
  const state: DirectoryView = {
    ...view,
    pin: await businessFingerprintBytes(statement.newAccountKey),
    accountKey: new Uint8Array(statement.newAccountKey),
    rotations: [...view.rotations, rotation].slice(-DIRECTORY_MAX_ROTATIONS),
  };
  return { state, outcome: 'accepted', list: view.current, alerts: [] };
}

function rotationEquivocation(
  view: DirectoryView,
  first: SignedRotation,
  second: SignedRotation,
  statement: RotationStatement,
  env: ProtocolEnv,
): { state: DirectoryView; error: EquivocationError; alert: SecurityAlert } {
  const baseVersion = statement.lastListVersion;
  const proof = { baseVersion, first, second, detectedAt: env.now() };
  const rotationEvidence =
    view.rotationEvidence.length < DIRECTORY_MAX_EVIDENCE ? [...view.rotationEvidence, proof] : view.rotationEvidence;
  const firstAuthority = authorityLabel(decodeRotationStatement(first.body));
  const detail = `two account key rotations start from device list version ${baseVersion} (by the ${firstAuthority} and the ${authorityLabel(statement)})`;
  const suspects = [firstAuthority, authorityLabel(statement)].map((a) =>
    a === 'recovery key' ? SUSPECTS.recoveryKey : SUSPECTS.accountKey,
  );
  return {
    state: { ...view, rotationEvidence },
    error: new RotationEquivocationError(`${detail}; both signed rotations are kept as evidence`, first, second),
    alert: alert(
      ALERT_KINDS.equivocation,
      detail,
      [encodeSignedRotation(first), encodeSignedRotation(second)],
      [...new Set(suspects)],
    ),
  };
}

/**
 * Moves the view to the recovery branch: everything after `base` (lists and rotations the old
 * key signed) is dropped and kept as evidence in the `recovery-override` alert; the view trusts
 * the new key and waits for its first list, version base + 1 chaining to `base`.
 */
async function recoverySwitch(
  view: DirectoryView,
  rotation: SignedRotation,
  statement: RotationStatement,
  base: ChainLink,
  alerts: readonly SecurityAlert[],
): Promise<DirectoryUpdate> {
  const overriddenLists = view.history.filter((h) => h.version > base.version);
  const overriddenRotations = view.rotations.filter(
    (r) => decodeRotationStatement(r.body).lastListVersion >= base.version,
  );
  const keptSigned = view.history.filter((h) => h.version <= base.version);
  const baseSigned = keptSigned.find((h) => h.version === base.version);
  const rest: DirectoryView = { ...view };
  delete (rest as { current?: DeviceList }).current;
  const state: DirectoryView = {
    ...rest,
    ...(baseSigned === undefined ? {} : { current: decodeDeviceListBody(baseSigned.signed.body) }),
    pin: await businessFingerprintBytes(statement.newAccountKey),
    accountKey: new Uint8Array(statement.newAccountKey),
    history: keptSigned,
    links: view.links.filter((l) => l.version <= base.version),
    rotations: [...view.rotations.filter((r) => !overriddenRotations.includes(r)), rotation].slice(
      -DIRECTORY_MAX_ROTATIONS,
    ),
    recoveryBase: base.version,
  };
  const overriddenLinks = view.links.filter((l) => l.version > base.version).length;
  if (overriddenLinks === 0 && overriddenRotations.length === 0) {
    return { state, outcome: 'accepted', list: state.current, alerts };
  }
  const evidence = [
    encodeSignedRotation(rotation),
    ...overriddenLists.flatMap((h) => [h.signed.body, h.signed.signature]),
    ...overriddenRotations.map(encodeSignedRotation),
  ];
  const detail = `a recovery rotation from device list version ${base.version} overrides ${overriddenLinks} list(s) and ${overriddenRotations.length} rotation(s) the old account key signed after it`;
  return {
    state,
    outcome: 'accepted',
    list: state.current,
    alerts: [...alerts, alert(ALERT_KINDS.recoveryOverride, detail, evidence, [SUSPECTS.accountKey])],
  };
}
