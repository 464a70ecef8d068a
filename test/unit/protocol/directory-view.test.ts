import { describe, expect, it } from 'vitest';
import { ed25519Sign } from '../../../shared/crypto/index.js';
import { DecodeError, SignatureError } from '../../../shared/errors/index.js';
import {
  decodeDeviceListBody,
  encodeDeviceListBody,
  createNextDeviceList,
  EquivocationError,
  PinMismatchError,
  RollbackError,
  IDENTITY_LABELS,
  labelled,
  type SignedDeviceList,
  businessFingerprint,
} from '../../../shared/protocol/index.js';
import {
  createDirectoryView,
  createDirectoryViewForKey,
  receiveDeviceList,
  requireAccepted,
} from '../../../shared/protocol/directory/directory-view.js';
import { DIRECTORY_HISTORY, type DirectoryView } from '../../../shared/protocol/directory/directory-view-state.js';
import { type IdentityWorld, identityWorld, newMember } from '../../support/identity-fixture.js';

async function nextWithout(w: IdentityWorld, previous: SignedDeviceList, drop: number): Promise<SignedDeviceList> {
  const list = decodeDeviceListBody(previous.body);
  return createNextDeviceList(w.identity, previous, { devices: list.devices.filter((_, i) => i !== drop) }, w.env);
}

/** Feeds lists and expects each to be accepted. */
async function accepted(view: DirectoryView, w: IdentityWorld, ...lists: SignedDeviceList[]): Promise<DirectoryView> {
  let state = view;
  for (const signed of lists) state = requireAccepted(await receiveDeviceList(state, signed, w.env)).state;
  return state;
}

/** Runs a rejected step and checks: typed error, alert kind, and the state object and content unchanged. */
async function expectRejectedUnchanged(
  view: DirectoryView,
  w: IdentityWorld,
  signed: SignedDeviceList,
  errorClass: abstract new (...args: never[]) => Error,
  alertKind: string | undefined,
): Promise<void> {
  const before = structuredClone(view);
  const update = await receiveDeviceList(view, signed, w.env);
  expect(update.outcome).toBe('rejected');
  expect(update.rejected).toBeInstanceOf(errorClass);
  expect(update.alerts.map((a) => a.kind)).toEqual(alertKind === undefined ? [] : [alertKind]);
  expect(update.state).toBe(view);
  expect(view).toEqual(before);
  expect(() => requireAccepted(update)).toThrow(errorClass);
}

describe('DirectoryView: pinning (F1)', () => {
  it('accepts the first list whose account key has the pinned fingerprint', async () => {
    const w = await identityWorld();
    const update = await receiveDeviceList(createDirectoryView(w.pin), w.v1, w.env);
    expect(update.outcome).toBe('accepted');
    expect(update.alerts).toEqual([]);
    expect(update.list?.version).toBe(1);
    expect(update.state.accountKey).toEqual(w.identity.signing.publicKey);
    expect(update.state.accountId).toEqual(w.identity.accountId);
  });

  it('F1: a relay-made account key that does not match the snippet pin is refused (pin-mismatch alert, state unchanged)', async () => {
    const w = await identityWorld();
    const relay = await identityWorld('relay-made-account');
    // The relay builds a complete, validly self-signed account with the real account id and its own key.
    const relayList = decodeDeviceListBody(relay.v1.body);
    const body = encodeDeviceListBody({ ...relayList, accountId: w.identity.accountId });
    const signed = {
      body,
      signature: await ed25519Sign(relay.identity.signing.privateKey, labelled(IDENTITY_LABELS.deviceList, body)),
    };
    await expectRejectedUnchanged(createDirectoryView(w.pin), w, signed, PinMismatchError, 'pin-mismatch');
    // And after the real list was accepted, a list naming another key is refused too.
    const view = await accepted(createDirectoryView(w.pin), w, w.v1);
    await expectRejectedUnchanged(view, w, signed, PinMismatchError, 'pin-mismatch');
  });

  it('F1: a list for another account is refused once the view knows the account', async () => {
    const w = await identityWorld();
    const other = await identityWorld('other-account');
    const view = await createDirectoryViewForKey(w.identity.signing.publicKey);
    const known = await accepted(view, w, w.v1);
    await expectRejectedUnchanged(known, w, other.v1, PinMismatchError, 'pin-mismatch');
  });

  it('F10: rogue device in a wrongly signed list: bad-signature alert, state unchanged', async () => {
    const w = await identityWorld();
    const view = await accepted(createDirectoryView(w.pin), w, w.v1);
    const rogue = await newMember(w.env, 'Eve', 'agent');
    const v1 = decodeDeviceListBody(w.v1.body);
    const body = encodeDeviceListBody({
      ...v1,
      version: 2,
      previousHash: new Uint8Array(32).fill(7),
      devices: [...v1.devices, rogue.entry],
    });
    await expectRejectedUnchanged(view, w, { body, signature: new Uint8Array(64) }, SignatureError, 'bad-signature');
    await expectRejectedUnchanged(view, w, { body, signature: w.v1.signature }, SignatureError, 'bad-signature');
  });

  it('malformed bytes: DecodeError, no alert, state unchanged', async () => {
    const w = await identityWorld();
    const view = await accepted(createDirectoryView(w.pin), w, w.v1);
    await expectRejectedUnchanged(
      view,
      w,
      { body: w.v1.body.slice(0, 40), signature: w.v1.signature },
      DecodeError,
      undefined,
    );
    await expectRejectedUnchanged(
      view,
      w,
      { body: Uint8Array.from([...w.v1.body, 1]), signature: w.v1.signature },
      DecodeError,
      undefined,
    );
  });

  it('a malformed pin is a DecodeError', async () => {
    const w = await identityWorld();
    expect(() => createDirectoryView('not a fingerprint!')).toThrow(DecodeError);
    expect(() => createDirectoryView(w.pin.slice(0, 20))).toThrow(DecodeError);
    expect(createDirectoryView(w.pin.toUpperCase()).pin).toEqual(createDirectoryView(w.pin).pin);
    expect(await businessFingerprint(w.identity.signing.publicKey)).toBe(w.pin);
  });
});

describe('DirectoryView: versions, rollback, equivocation', () => {
  it('accepts newer versions in order and treats a re-delivery of the newest as unchanged', async () => {
    const w = await identityWorld();
    const v2 = await nextWithout(w, w.v1, 2);
    const view = await accepted(createDirectoryView(w.pin), w, w.v1, v2);
    expect(view.current?.version).toBe(2);
    const again = await receiveDeviceList(view, v2, w.env);
    expect(again.outcome).toBe('unchanged');
    expect(again.state).toBe(view);
    expect(again.alerts).toEqual([]);
  });

  it('F10: after a revocation the view lists the device no more', async () => {
    const w = await identityWorld();
    const v2 = await nextWithout(w, w.v1, 2);
    const view = await accepted(createDirectoryView(w.pin), w, w.v1, v2);
    expect(view.current?.devices.some((d) => d.agentName === 'Ada Agent')).toBe(false);
  });

  it('F10: device list rollback: an older validly signed list is refused (RollbackError, rollback alert, state unchanged)', async () => {
    const w = await identityWorld();
    const v2 = await nextWithout(w, w.v1, 2);
    const v3 = await nextWithout(w, v2, 1);
    const view = await accepted(createDirectoryView(w.pin), w, w.v1, v2, v3);
    await expectRejectedUnchanged(view, w, w.v1, RollbackError, 'rollback');
    await expectRejectedUnchanged(view, w, v2, RollbackError, 'rollback');
  });

  it('F10: rollback past the kept history is still refused', async () => {
    const w = await identityWorld();
    const lists = [w.v1];
    for (let i = 0; i < DIRECTORY_HISTORY + 2; i++) {
      const prev = lists.at(-1) ?? w.v1;
      lists.push(
        await createNextDeviceList(w.identity, prev, { devices: decodeDeviceListBody(prev.body).devices }, w.env),
      );
    }
    const view = await accepted(createDirectoryView(w.pin), w, ...lists);
    expect(view.history).toHaveLength(DIRECTORY_HISTORY);
    await expectRejectedUnchanged(view, w, w.v1, RollbackError, 'rollback');
  });

  it('F10: split view: two different lists with one version are refused as equivocation, both kept as evidence', async () => {
    const w = await identityWorld();
    const v2a = await nextWithout(w, w.v1, 2); // shown to visitor A: without the agent
    const v2b = await nextWithout(w, w.v1, 1); // shown to visitor B: without the admin
    const view = await accepted(createDirectoryView(w.pin), w, w.v1, v2a);
    const before = structuredClone(view);
    const update = await receiveDeviceList(view, v2b, w.env);
    expect(update.outcome).toBe('rejected');
    expect(update.rejected).toBeInstanceOf(EquivocationError);
    expect(update.alerts).toHaveLength(1);
    expect(update.alerts[0]?.kind).toBe('equivocation');
    expect(update.alerts[0]?.evidence).toEqual([v2a.body, v2a.signature, v2b.body, v2b.signature]);
    expect(update.state.evidence).toEqual([{ version: 2, first: v2a, second: v2b, detectedAt: w.clock.now() }]);
    // Everything but the evidence is as before: the accepted list stays v2a.
    expect({ ...update.state, evidence: [] }).toEqual({ ...before, evidence: [] });
    expect(update.state.current?.devices).toHaveLength(2);
    expect(view).toEqual(before);
  });

  it('F10: split view found through the chain: version n+1 that does not link to the accepted version n', async () => {
    const w = await identityWorld();
    const v2a = await nextWithout(w, w.v1, 2);
    const v2b = await nextWithout(w, w.v1, 1);
    const v3b = await nextWithout(w, v2b, 1);
    const view = await accepted(createDirectoryView(w.pin), w, w.v1, v2a);
    const update = await receiveDeviceList(view, v3b, w.env);
    expect(update.rejected).toBeInstanceOf(EquivocationError);
    expect(update.state.evidence[0]?.first).toEqual(v2a);
    expect(update.state.evidence[0]?.second).toEqual(v3b);
    expect(update.state.current?.version).toBe(2);
  });

  it('F10: an older list that differs from the one accepted for its version is equivocation, not mere rollback', async () => {
    const w = await identityWorld();
    const v2a = await nextWithout(w, w.v1, 2);
    const v2b = await nextWithout(w, w.v1, 1);
    const v3 = await nextWithout(w, v2a, 1);
    const view = await accepted(createDirectoryView(w.pin), w, w.v1, v2a, v3);
    const update = await receiveDeviceList(view, v2b, w.env);
    expect(update.rejected).toBeInstanceOf(EquivocationError);
    expect(update.state.current?.version).toBe(3);
  });

  it('F10: a list for a skipped version that the next kept list does not chain to is equivocation', async () => {
    const w = await identityWorld();
    const v2a = await nextWithout(w, w.v1, 2);
    const v2b = await nextWithout(w, w.v1, 1);
    const v3 = await nextWithout(w, v2a, 1);
    // The view started at v3 (the first list it was shown; v2 never was).
    const view = await accepted(createDirectoryView(w.pin), w, v3);
    const forked = await receiveDeviceList(view, v2b, w.env);
    expect(forked.rejected).toBeInstanceOf(EquivocationError);
    expect(forked.state.evidence[0]?.first).toEqual(v3);
    expect(forked.state.evidence[0]?.second).toEqual(v2b);
    // The genuine v2 is merely old.
    await expectRejectedUnchanged(view, w, v2a, RollbackError, 'rollback');
  });

  it('honest traffic keeps working after an alert', async () => {
    const w = await identityWorld();
    const v2a = await nextWithout(w, w.v1, 2);
    const v2b = await nextWithout(w, w.v1, 1);
    const v3 = await nextWithout(w, v2a, 1);
    let view = await accepted(createDirectoryView(w.pin), w, w.v1, v2a);
    view = (await receiveDeviceList(view, v2b, w.env)).state;
    view = (await receiveDeviceList(view, w.v1, w.env)).state;
    const update = await receiveDeviceList(view, v3, w.env);
    expect(update.outcome).toBe('accepted');
    expect(update.state.evidence).toHaveLength(1);
  });
});
