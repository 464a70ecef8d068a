/**
 * PROTOCOL §4.5 "Denying a request": the signed decision an owner device sends back to a requester.
 * Codec (bounded, strict) and `checkChangeRequestDecision`, one typed refusal per broken rule.
 */
import { describe, expect, it } from 'vitest';
import {
  type AnsweredRequest,
  ChangeRequestDecisionRefusedError,
  type SignedChangeRequestDecision,
  changeRequestDecisionCodec,
  checkChangeRequestDecision,
  createChangeRequestDenial,
  decodeChangeRequestDecision,
  encodeChangeRequestDecision,
} from '../../../shared/protocol/index.js';
import { DecodeError, asDeviceId, decode } from '../../../shared/wire/index.js';
import { identityWorld, type IdentityWorld } from '../../support/identity-fixture.js';

const REQUEST_ID = new Uint8Array(16).fill(7);

async function refused(promise: Promise<unknown>): Promise<string> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ChangeRequestDecisionRefusedError);
  return error instanceof ChangeRequestDecisionRefusedError ? error.reason : '';
}

function answered(w: IdentityWorld, over: Partial<AnsweredRequest> = {}): AnsweredRequest {
  return { requestId: REQUEST_ID, requesterId: w.admin.entry.deviceId, baseVersion: 1, ...over };
}

async function ownerDenial(w: IdentityWorld, listVersion = 1): Promise<SignedChangeRequestDecision> {
  return createChangeRequestDenial(
    w.owner.keys,
    w.identity.accountId,
    { requestId: REQUEST_ID, requesterId: w.admin.entry.deviceId },
    listVersion,
  );
}

describe('change request decision (§4.5)', () => {
  it('round-trips; the body is bound to account, request, requester, list version and decider', async () => {
    const w = await identityWorld('decision-codec');
    const signed = await ownerDenial(w);
    const bytes = encodeChangeRequestDecision(signed);
    expect(decodeChangeRequestDecision(bytes)).toEqual(signed);
    const decision = decode(changeRequestDecisionCodec, signed.body, 'changeRequestDecision');
    expect(decision).toEqual({
      accountId: w.identity.accountId,
      requestId: REQUEST_ID,
      requesterId: w.admin.entry.deviceId,
      listVersion: 1,
      outcome: 'denied',
      deciderId: w.owner.entry.deviceId,
    });
    expect(await checkChangeRequestDecision(w.v1, signed, answered(w))).toEqual(decision);
  });

  it('rejects trailing bytes, a body past 128 bytes and an unknown outcome', async () => {
    const w = await identityWorld('decision-bounds');
    const bytes = encodeChangeRequestDecision(await ownerDenial(w));
    expect(() => decodeChangeRequestDecision(new Uint8Array([...bytes, 0]))).toThrow(DecodeError);
    const oversized = encodeChangeRequestDecision({ body: new Uint8Array(128), signature: new Uint8Array(64) });
    // The length prefix (u32, after version and suite) says 129: refused before the body is read.
    const view = new DataView(oversized.buffer, oversized.byteOffset);
    view.setUint32(2, 129);
    expect(() => decodeChangeRequestDecision(new Uint8Array([...oversized, 0]))).toThrow(/exceeds the cap of 128/);
    const signed = await ownerDenial(w);
    const body = new Uint8Array(signed.body);
    body[2 + 16 * 3 + 4] = 2; // the outcome byte
    expect(await refused(checkChangeRequestDecision(w.v1, { ...signed, body }, answered(w)))).toBe('malformed');
  });

  it('refuses each broken rule with its reason', async () => {
    const w = await identityWorld('decision-check');
    const genuine = await ownerDenial(w);
    const flipped = new Uint8Array(genuine.signature);
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(await refused(checkChangeRequestDecision(w.v1, { ...genuine, signature: flipped }, answered(w)))).toBe(
      'bad-signature',
    );
    // Signed by a listed device that is not an owner.
    const byAdmin = await createChangeRequestDenial(
      w.admin.keys,
      w.identity.accountId,
      { requestId: REQUEST_ID, requesterId: w.admin.entry.deviceId },
      1,
    );
    expect(await refused(checkChangeRequestDecision(w.v1, byAdmin, answered(w)))).toBe('not-owner');
    // Signed by a device of another account, naming this account or its own.
    const other = await identityWorld('decision-other-account');
    const request = { requestId: REQUEST_ID, requesterId: w.admin.entry.deviceId };
    const foreign = await createChangeRequestDenial(other.owner.keys, w.identity.accountId, request, 1);
    expect(await refused(checkChangeRequestDecision(w.v1, foreign, answered(w)))).toBe('not-listed');
    const ownAccount = await createChangeRequestDenial(other.owner.keys, other.identity.accountId, request, 1);
    expect(await refused(checkChangeRequestDecision(w.v1, ownAccount, answered(w)))).toBe('other-account');
    // Genuine, but for another request or another requester.
    expect(
      await refused(checkChangeRequestDecision(w.v1, genuine, answered(w, { requestId: new Uint8Array(16) }))),
    ).toBe('other-request');
    expect(
      await refused(
        checkChangeRequestDecision(w.v1, genuine, answered(w, { requesterId: asDeviceId(w.agent.entry.deviceId) })),
      ),
    ).toBe('other-device');
    // Decided on a list older than the request's base, or newer than the receiver has.
    expect(await refused(checkChangeRequestDecision(w.v1, genuine, answered(w, { baseVersion: 2 })))).toBe(
      'stale-list',
    );
    expect(await refused(checkChangeRequestDecision(w.v1, await ownerDenial(w, 2), answered(w)))).toBe('stale-list');
  });
});
