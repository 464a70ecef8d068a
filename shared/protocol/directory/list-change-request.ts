/**
 * Device list change requests (docs/PROTOCOL.md §4.5, §10.5 step 6; issue #17 item 2). A device
 * that does not hold the account identity key (AIK) asks the owner device holding it for a change
 * with a request it signs over the list it saw:
 *
 *   DeviceListChangeRequest = version u8 || suite u8 || accountId [16] || baseVersion u32
 *                             || baseHash [32] || change || requesterId [16] || createdAt u64
 *   change                  = u8 1 (add) || DeviceEntry  |  u8 2 (remove) || deviceId [16]
 *                             |  u8 3 (remove an agent: every device of it) || agentId [16]
 *   SignedListChangeRequest = version u8 || suite u8 || body varBytes(MAX_REQUEST_BODY_BYTES)
 *                             || signature [64]
 *   signature = Ed25519(requester's device signing key, "sealdesk/v2/list-change-request" || 0x00 || body)
 *
 * The owner applies one (`applyChangeRequest`) only when: the signature verifies under the
 * requester's key in the base list; the base is the current list; the requester may ask for the
 * change (`authoriseChange`: an agent only for its own devices, under its own agent id and role; an
 * admin also for `agent`-role agents, a whole agent's removal included);
 * an added device names the requester as sponsor and carries a valid proof of possession; and a
 * person approved an addition on the owner device (`approval`). Each refusal is a
 * ChangeRequestRefusedError with a `reason`; the relay can carry requests but never make one.
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
  taggedUnion,
  u32,
  u64,
} from '../../wire/index.js';
import {
  type DeviceEntry,
  type DeviceList,
  type ProtocolEnv,
  type SignedDeviceList,
  UnauthorisedDeviceError,
  versioned,
} from '../core/index.js';
import {
  type AccountIdentity,
  type DeviceKeys,
  IDENTITY_LABELS,
  labelled,
  verifyProofOfPossession,
} from '../identity/index.js';
import { applyChange, authoriseChange } from './device-list-changes.js';
import { decodeDeviceListBody, deviceEntryCodec, HASH_BYTES } from './device-list-codec.js';
import { createNextDeviceList, deviceListHash, findDevice } from './device-list.js';
import { type SignedStatement, signedStatementCodec } from './signed-statement.js';

/** What a device may ask for: add a device, remove one, or remove an agent with all its devices. */
export type RequestedChange =
  | { readonly kind: 'add-device'; readonly device: DeviceEntry }
  | { readonly kind: 'remove-device'; readonly deviceId: DeviceId }
  | { readonly kind: 'remove-agent'; readonly agentId: Uint8Array };

export interface DeviceListChangeRequest {
  readonly accountId: AccountId;
  readonly baseVersion: number;
  readonly baseHash: Uint8Array;
  readonly change: RequestedChange;
  readonly requesterId: DeviceId;
  readonly createdAt: number;
}

export type SignedListChangeRequest = SignedStatement;

/** A request body holds one entry at most: 512 bytes is more than its largest encoding. */
export const MAX_REQUEST_BODY_BYTES = 512;

const requestedChangeCodec: Codec<RequestedChange> = taggedUnion('kind', {
  'add-device': { tag: 1, codec: struct<{ device: DeviceEntry }>({ device: deviceEntryCodec }) },
  'remove-device': { tag: 2, codec: struct<{ deviceId: DeviceId }>({ deviceId: deviceIdCodec }) },
  'remove-agent': { tag: 3, codec: struct<{ agentId: Uint8Array }>({ agentId: fixedBytes(ID_BYTES) }) },
});

export const listChangeRequestCodec: Codec<DeviceListChangeRequest> = versioned(
  struct<DeviceListChangeRequest>({
    accountId: accountIdCodec,
    baseVersion: u32,
    baseHash: fixedBytes(HASH_BYTES),
    change: requestedChangeCodec,
    requesterId: deviceIdCodec,
    createdAt: u64,
  }),
);

export const signedListChangeRequestCodec: Codec<SignedListChangeRequest> =
  signedStatementCodec(MAX_REQUEST_BODY_BYTES);

export function encodeListChangeRequest(request: SignedListChangeRequest): Uint8Array {
  return encode(signedListChangeRequestCodec, request);
}

export function decodeListChangeRequest(bytes: Uint8Array): SignedListChangeRequest {
  return decode(signedListChangeRequestCodec, bytes, 'listChangeRequest');
}

export type ChangeRequestRefusal =
  | 'malformed'
  | 'not-listed'
  | 'bad-signature'
  | 'stale-base'
  | 'not-allowed'
  | 'bad-proof-of-possession'
  | 'needs-approval';

/** A change request the owner device refuses; `reason` says which rule of §4.5 it broke. */
export class ChangeRequestRefusedError extends UnauthorisedDeviceError {
  constructor(
    readonly reason: ChangeRequestRefusal,
    message: string,
  ) {
    super(`device list change request refused (${reason}): ${message}`);
  }
}

/** Signs a request for `change` against `base` (the newest list this device holds). */
export async function createListChangeRequest(
  requester: DeviceKeys,
  base: SignedDeviceList,
  change: RequestedChange,
  env: ProtocolEnv,
): Promise<SignedListChangeRequest> {
  const list = decodeDeviceListBody(base.body);
  const request: DeviceListChangeRequest = {
    accountId: list.accountId,
    baseVersion: list.version,
    baseHash: await deviceListHash(base.body),
    change,
    requesterId: requester.deviceId,
    createdAt: env.now(),
  };
  const body = encode(listChangeRequestCodec, request);
  const signature = await ed25519Sign(requester.signing.privateKey, labelled(IDENTITY_LABELS.listChangeRequest, body));
  return { body, signature };
}

/** The owner's decision in the UI: additions are applied only with `approvedByHuman: true`. */
export interface ChangeApproval {
  readonly approvedByHuman: true;
}

/**
 * Verifies a request against `current` (the newest list, already verified by the caller) and
 * returns the decoded request. ChangeRequestRefusedError per §4.5; nothing is signed here.
 */
export async function checkChangeRequest(
  current: SignedDeviceList,
  signed: SignedListChangeRequest,
): Promise<DeviceListChangeRequest> {
  let request: DeviceListChangeRequest;
  try {
    request = decode(listChangeRequestCodec, signed.body, 'listChangeRequest');
  } catch (error) {
    if (error instanceof SealdeskError) throw new ChangeRequestRefusedError('malformed', error.message);
    throw error;
  }
  const list = decodeDeviceListBody(current.body);
  const requester = findDevice(list, request.requesterId);
  if (requester === undefined || !idEquals(request.accountId, list.accountId)) {
    throw new ChangeRequestRefusedError(
      'not-listed',
      `device ${idToHex(request.requesterId)} is not in device list version ${list.version}`,
    );
  }
  const authentic = await ed25519Verify(
    requester.signingKey,
    labelled(IDENTITY_LABELS.listChangeRequest, signed.body),
    signed.signature,
  );
  if (!authentic) throw new ChangeRequestRefusedError('bad-signature', 'the requester signature does not verify');
  if (
    request.baseVersion !== list.version ||
    !constantTimeEqual(request.baseHash, await deviceListHash(current.body))
  ) {
    throw new ChangeRequestRefusedError(
      'stale-base',
      `the request was made for device list version ${request.baseVersion}, the current version is ${list.version}`,
    );
  }
  await checkRights(list, request);
  return request;
}

async function checkRights(list: DeviceList, request: DeviceListChangeRequest): Promise<void> {
  const { change } = request;
  try {
    authoriseChange(list, request.requesterId, change);
  } catch (error) {
    if (error instanceof UnauthorisedDeviceError) throw new ChangeRequestRefusedError('not-allowed', error.message);
    throw error;
  }
  if (change.kind !== 'add-device') return;
  if (!idEquals(change.device.sponsorId, request.requesterId)) {
    throw new ChangeRequestRefusedError(
      'not-allowed',
      'an added device must name the requesting device as its sponsor',
    );
  }
  if (!(await verifyProofOfPossession(list.accountId, change.device))) {
    throw new ChangeRequestRefusedError(
      'bad-proof-of-possession',
      `device ${idToHex(change.device.deviceId)} did not sign its entry with its own key for this account and agent`,
    );
  }
}

/**
 * The owner device (holding the AIK) applies a checked request: the next signed list and the
 * removed entries (rotate every key shared with them, §9.5). Additions need `approval`
 * (ChangeRequestRefusedError 'needs-approval' otherwise); removals of one's own devices do not.
 */
export async function applyChangeRequest(
  identity: AccountIdentity,
  current: SignedDeviceList,
  signed: SignedListChangeRequest,
  approval: ChangeApproval | undefined,
  env: ProtocolEnv,
): Promise<{ readonly signed: SignedDeviceList; readonly removed: readonly DeviceEntry[] }> {
  const request = await checkChangeRequest(current, signed);
  if (request.change.kind === 'add-device' && approval?.approvedByHuman !== true) {
    throw new ChangeRequestRefusedError(
      'needs-approval',
      'an owner must approve every added device on the owner device',
    );
  }
  const list = decodeDeviceListBody(current.body);
  const { devices, removed } = applyChange(list, request.change);
  const next = await createNextDeviceList(identity, current, { devices }, env);
  return { signed: next, removed };
}
