/**
 * An owner's answer to a device list change request (docs/PROTOCOL.md §4.5 "Denying a request").
 * An approval is the next signed list itself; a denial is this statement, signed by the deciding
 * owner device's signing key and bound to the request, its requester, the account and the list:
 *
 *   ChangeRequestDecision       = version u8 || suite u8 || accountId [16] || requestId [16]
 *                                 || requesterId [16] || listVersion u32 || outcome u8 (1 denied)
 *                                 || deciderId [16]
 *   SignedChangeRequestDecision = version u8 || suite u8 || body varBytes(MAX_DECISION_BODY_BYTES)
 *                                 || signature [64]
 *   signature = Ed25519(decider's device signing key, "sealdesk/v2/list-change-decision" || 0x00 || body)
 *
 * `requestId` is the request's channel id (§4.5 "Carrying a request"). A receiver accepts one only
 * through `checkChangeRequestDecision`; every refusal is a ChangeRequestDecisionRefusedError.
 */
import { constantTimeEqual, ed25519Sign, ed25519Verify } from '../../crypto/index.js';
import { SealdeskError } from '../../errors/index.js';
import {
  type AccountId,
  accountIdCodec,
  type Codec,
  decode,
  type DeviceId,
  deviceIdCodec,
  encode,
  fixedBytes,
  ID_BYTES,
  idEquals,
  idToHex,
  struct,
  u32,
} from '../../wire/index.js';
import { type SignedDeviceList, UnauthorisedDeviceError, versioned } from '../core/index.js';
import { type DeviceKeys, IDENTITY_LABELS, labelled } from '../identity/index.js';
import { decodeDeviceListBody } from './device-list-codec.js';
import { findDevice } from './device-list.js';
import { type SignedStatement, signedStatementCodec } from './signed-statement.js';

/** The only decision sent: an approval travels as the next signed list (§4.3). */
export type ChangeRequestOutcome = 'denied';

export interface ChangeRequestDecision {
  readonly accountId: AccountId;
  /** The request's channel id (§4.5), 16 bytes. */
  readonly requestId: Uint8Array;
  readonly requesterId: DeviceId;
  /** The version of the list the decider held when it decided. */
  readonly listVersion: number;
  readonly outcome: ChangeRequestOutcome;
  readonly deciderId: DeviceId;
}

export type SignedChangeRequestDecision = SignedStatement;

/** A body is 77 bytes; 128 leaves room and bounds what a receiver reads. */
export const MAX_DECISION_BODY_BYTES = 128;

const OUTCOME_DENIED = 1;

const outcomeCodec: Codec<ChangeRequestOutcome> = {
  write: (w) => {
    w.u8(OUTCOME_DENIED);
  },
  read: (r) => {
    const tag = r.u8();
    if (tag !== OUTCOME_DENIED) throw r.fail(`unknown change request outcome ${tag}`);
    return 'denied';
  },
};

export const changeRequestDecisionCodec: Codec<ChangeRequestDecision> = versioned(
  struct<ChangeRequestDecision>({
    accountId: accountIdCodec,
    requestId: fixedBytes(ID_BYTES),
    requesterId: deviceIdCodec,
    listVersion: u32,
    outcome: outcomeCodec,
    deciderId: deviceIdCodec,
  }),
);

const signedDecisionCodec: Codec<SignedChangeRequestDecision> = signedStatementCodec(MAX_DECISION_BODY_BYTES);

export function encodeChangeRequestDecision(decision: SignedChangeRequestDecision): Uint8Array {
  return encode(signedDecisionCodec, decision);
}

export function decodeChangeRequestDecision(bytes: Uint8Array): SignedChangeRequestDecision {
  return decode(signedDecisionCodec, bytes, 'changeRequestDecision');
}

export type DecisionRefusal =
  | 'malformed'
  | 'other-account'
  | 'not-listed'
  | 'bad-signature'
  | 'not-owner'
  | 'other-request'
  | 'other-device'
  | 'stale-list';

/** A decision the receiver refuses; `reason` says which rule of §4.5 it broke. */
export class ChangeRequestDecisionRefusedError extends UnauthorisedDeviceError {
  constructor(
    readonly reason: DecisionRefusal,
    message: string,
  ) {
    super(`change request decision refused (${reason}): ${message}`);
  }
}

/** What the receiver knows of the request a decision must answer. */
export interface AnsweredRequest {
  readonly requestId: Uint8Array;
  readonly requesterId: DeviceId;
  /** The list version the request was made over: no decision is older. */
  readonly baseVersion: number;
}

/** Signs a denial of `request` by the owner device `decider`, over the list of version `listVersion`. */
export async function createChangeRequestDenial(
  decider: DeviceKeys,
  accountId: AccountId,
  request: Omit<AnsweredRequest, 'baseVersion'>,
  listVersion: number,
): Promise<SignedChangeRequestDecision> {
  const decision: ChangeRequestDecision = {
    accountId,
    requestId: request.requestId,
    requesterId: request.requesterId,
    listVersion,
    outcome: 'denied',
    deciderId: decider.deviceId,
  };
  const body = encode(changeRequestDecisionCodec, decision);
  const signature = await ed25519Sign(decider.signing.privateKey, labelled(IDENTITY_LABELS.listChangeDecision, body));
  return { body, signature };
}

/**
 * Verifies a decision against `current` (the receiver's newest verified list) and the request it
 * must answer (§4.5): this account; a decider listed with the `owner` role whose key signed it;
 * this request, this requester; decided on a list no older than the request's base and no newer
 * than `current` (the receiver fetches newer lists first).
 */
export async function checkChangeRequestDecision(
  current: SignedDeviceList,
  signed: SignedChangeRequestDecision,
  answered: AnsweredRequest,
): Promise<ChangeRequestDecision> {
  let decision: ChangeRequestDecision;
  try {
    decision = decode(changeRequestDecisionCodec, signed.body, 'changeRequestDecision');
  } catch (error) {
    if (error instanceof SealdeskError) throw new ChangeRequestDecisionRefusedError('malformed', error.message);
    throw error;
  }
  const list = decodeDeviceListBody(current.body);
  if (!idEquals(decision.accountId, list.accountId))
    throw new ChangeRequestDecisionRefusedError('other-account', 'the decision names another account');
  const decider = findDevice(list, decision.deciderId);
  if (decider === undefined)
    throw new ChangeRequestDecisionRefusedError(
      'not-listed',
      `device ${idToHex(decision.deciderId)} is not in device list version ${list.version}`,
    );
  const authentic = await ed25519Verify(
    decider.signingKey,
    labelled(IDENTITY_LABELS.listChangeDecision, signed.body),
    signed.signature,
  );
  if (!authentic) throw new ChangeRequestDecisionRefusedError('bad-signature', 'the decider signature does not verify');
  if (decider.role !== 'owner')
    throw new ChangeRequestDecisionRefusedError('not-owner', `a ${decider.role} device cannot decide change requests`);
  if (!constantTimeEqual(decision.requestId, answered.requestId))
    throw new ChangeRequestDecisionRefusedError('other-request', 'the decision answers another request');
  if (!idEquals(decision.requesterId, answered.requesterId))
    throw new ChangeRequestDecisionRefusedError('other-device', 'the decision answers another device');
  if (decision.listVersion < answered.baseVersion || decision.listVersion > list.version)
    throw new ChangeRequestDecisionRefusedError(
      'stale-list',
      `decided on list version ${decision.listVersion}, the request was made on ${answered.baseVersion} and the newest is ${list.version}`,
    );
  return decision;
}
