import { describe, expect, it } from 'vitest';
import { ed25519Sign } from '../../../shared/crypto/index.js';
import { DecodeError, LimitError, SignatureError } from '../../../shared/errors/index.js';
import {
  type AccountIdentity,
  decodeDeviceListBody,
  decodeSignedDeviceList,
  deviceEntryCodec,
  encodeDeviceListBody,
  encodeSignedDeviceList,
  applyChange,
  parseBusinessPin,
  InvalidDisplayNameError,
  PinMismatchError,
  IDENTITY_LABELS,
  labelled,
  type DeviceEntry,
  type DeviceList,
  type SignedDeviceList,
  versioned,
  createDeviceKeys,
  createDirectoryView,
  deviceEntryOf,
  receiveDeviceList,
  requireAccepted,
} from '../../../shared/protocol/index.js';
import {
  createNextDeviceList,
  deviceListHash,
  findDevice,
  validateDeviceList,
  verifyDeviceListWithPin,
  verifySignedDeviceList,
} from '../../../shared/protocol/directory/device-list.js';
import {
  encode,
  fixedBytes,
  list as listCodec,
  optional,
  struct,
  u32,
  u64,
  accountIdCodec,
  asDeviceId,
  idEquals,
  LIMITS,
} from '../../../shared/wire/index.js';
import { identityWorld, newMember } from '../../support/identity-fixture.js';

/** Signs arbitrary body bytes with the AIK, bypassing the checks of createNextDeviceList: a hostile-but-signed list. */
async function signRaw(identity: AccountIdentity, body: Uint8Array): Promise<SignedDeviceList> {
  return {
    body,
    signature: await ed25519Sign(identity.signing.privateKey, labelled(IDENTITY_LABELS.deviceList, body)),
  };
}

function withDevices(list: DeviceList, devices: readonly DeviceEntry[]): DeviceList {
  return { ...list, devices };
}

describe('device list: create, sign, verify', () => {
  it('round-trips version 1 through the codec and verifies under the AIK', async () => {
    const w = await identityWorld();
    const list = await verifySignedDeviceList(w.v1, w.identity.signing.publicKey);
    expect(list.version).toBe(1);
    expect(list.previousHash).toEqual(new Uint8Array(32));
    expect(list.devices.map((d) => d.agentName)).toEqual(['Olivia Owner', 'Adam Admin', 'Ada Agent']);
    expect(list.recoveryKey).toEqual(w.recovery.signing.publicKey);
    expect(decodeSignedDeviceList(encodeSignedDeviceList(w.v1))).toEqual(w.v1);
    expect(encodeDeviceListBody(decodeDeviceListBody(w.v1.body))).toEqual(w.v1.body);
  });

  it('chains version n+1 to the hash of version n and carries the recovery key over', async () => {
    const w = await identityWorld();
    const v1 = decodeDeviceListBody(w.v1.body);
    w.clock.advance(1000);
    const v2signed = await createNextDeviceList(w.identity, w.v1, { devices: v1.devices.slice(0, 2) }, w.env);
    const v2 = await verifySignedDeviceList(v2signed, w.identity.signing.publicKey);
    expect(v2.version).toBe(2);
    expect(v2.previousHash).toEqual(await deviceListHash(w.v1.body));
    expect(v2.issuedAt).toBe(v1.issuedAt + 1000);
    expect(v2.recoveryKey).toEqual(w.recovery.signing.publicKey);
  });

  it('F1: verifyDeviceListWithPin accepts the pinned account and refuses another key with PinMismatchError', async () => {
    const w = await identityWorld();
    const other = await identityWorld('other-account');
    const pin = parseBusinessPin(w.pin);
    expect((await verifyDeviceListWithPin(w.v1, pin)).version).toBe(1);
    await expect(verifyDeviceListWithPin(other.v1, pin)).rejects.toBeInstanceOf(PinMismatchError);
    await expect(
      verifyDeviceListWithPin({ body: w.v1.body, signature: new Uint8Array(64) }, pin),
    ).rejects.toBeInstanceOf(SignatureError);
  });

  it('F10: a revoked device is absent from the next signed list', async () => {
    const w = await identityWorld();
    const v1 = decodeDeviceListBody(w.v1.body);
    const { devices, removed } = applyChange(v1, { kind: 'remove-device', deviceId: w.agent.keys.deviceId });
    const v2 = await verifySignedDeviceList(
      await createNextDeviceList(w.identity, w.v1, { devices }, w.env),
      w.identity.signing.publicKey,
    );
    expect(removed.map((d) => d.deviceId)).toEqual([w.agent.keys.deviceId]);
    expect(findDevice(v2, w.agent.keys.deviceId)).toBeUndefined();
    expect(findDevice(v2, w.owner.keys.deviceId)).toBeDefined();
  });
});

describe('device list: hostile input (typed error, nothing accepted)', () => {
  it('F1: a list signed by another key does not verify under the trusted key (rogue device)', async () => {
    const w = await identityWorld();
    const rogue = await identityWorld('rogue');
    const v1 = decodeDeviceListBody(w.v1.body);
    // The relay signs the real list content with its own key but names the real account key.
    const forged = await signRaw(
      rogue.identity,
      encodeDeviceListBody(withDevices(v1, [...v1.devices, rogue.owner.entry])),
    );
    await expect(verifySignedDeviceList(forged, w.identity.signing.publicKey)).rejects.toBeInstanceOf(SignatureError);
    // Or names its own key: caught as "not the trusted key".
    const own = await signRaw(
      rogue.identity,
      encodeDeviceListBody({ ...v1, accountKey: rogue.identity.signing.publicKey }),
    );
    await expect(verifySignedDeviceList(own, w.identity.signing.publicKey)).rejects.toBeInstanceOf(SignatureError);
  });

  it('rejects an unsigned list (all-zero signature) and malformed signatures of every length', async () => {
    const w = await identityWorld();
    for (const signature of [
      new Uint8Array(64),
      new Uint8Array(0),
      new Uint8Array(63),
      new Uint8Array(65),
      w.v1.signature.slice(0, 32),
    ]) {
      await expect(
        verifySignedDeviceList({ body: w.v1.body, signature }, w.identity.signing.publicKey),
      ).rejects.toBeInstanceOf(SignatureError);
    }
    const flipped = w.v1.signature.slice();
    flipped[10] = (flipped[10] ?? 0) ^ 1;
    await expect(
      verifySignedDeviceList({ body: w.v1.body, signature: flipped }, w.identity.signing.publicKey),
    ).rejects.toBeInstanceOf(SignatureError);
    // A signature over the body without the domain label is not accepted either.
    const unlabelled = await ed25519Sign(w.identity.signing.privateKey, w.v1.body);
    await expect(
      verifySignedDeviceList({ body: w.v1.body, signature: unlabelled }, w.identity.signing.publicKey),
    ).rejects.toBeInstanceOf(SignatureError);
  });

  it('rejects a tampered body (one flipped byte in a device key)', async () => {
    const w = await identityWorld();
    const body = w.v1.body.slice();
    body[body.length - 5] = (body[body.length - 5] ?? 0) ^ 0x40;
    await expect(
      verifySignedDeviceList({ body, signature: w.v1.signature }, w.identity.signing.publicKey),
    ).rejects.toBeInstanceOf(SignatureError);
  });

  it('strict parsing: trailing bytes, truncation, unknown version or suite, unknown role tag are DecodeErrors', async () => {
    const w = await identityWorld();
    const b = w.v1.body;
    const cases = [
      Uint8Array.from([...b, 0]),
      b.slice(0, b.length - 1),
      Uint8Array.from([3, ...b.slice(1)]),
      Uint8Array.from([b[0] ?? 1, 9, ...b.slice(2)]),
      new Uint8Array(0),
    ];
    for (const body of cases) {
      await expect(
        verifySignedDeviceList(await signRaw(w.identity, body), w.identity.signing.publicKey),
      ).rejects.toBeInstanceOf(DecodeError);
    }
    // The role byte of the first entry: header 2 + 16 + 4 + 32 + 32 + 1 + 32 (recovery) + 8 (issuedAt) + 8 (notAfter)
    // + 4 + 1 (supported versions [2]) + 4 (count), then entry 16 + 16 + 4 + name + kind 1.
    const roleOffset = 2 + 16 + 4 + 32 + 32 + 1 + 32 + 8 + 8 + 5 + 4 + 16 + 16 + 4 + 'Olivia Owner'.length + 1;
    expect(b[roleOffset]).toBe(1);
    const badRole = b.slice();
    badRole[roleOffset] = 7;
    await expect(
      verifySignedDeviceList(await signRaw(w.identity, badRole), w.identity.signing.publicKey),
    ).rejects.toBeInstanceOf(DecodeError);
  });

  it('wrong key lengths inside an entry cannot be encoded, and do not decode', async () => {
    const w = await identityWorld();
    const v1 = decodeDeviceListBody(w.v1.body);
    const short = { ...w.agent.entry, signingKey: w.agent.entry.signingKey.slice(0, 31) };
    expect(() => encodeDeviceListBody(withDevices(v1, [w.owner.entry, short]))).toThrow();
    // Hand-built body with a 31-byte DH key: the decoder reads the wrong number of bytes and fails.
    const body = encodeDeviceListBody(withDevices(v1, [w.owner.entry]));
    const truncated = body.slice(0, body.length - 1);
    await expect(
      verifySignedDeviceList(await signRaw(w.identity, truncated), w.identity.signing.publicKey),
    ).rejects.toBeInstanceOf(DecodeError);
  });

  it('rejects duplicate device ids, and one key listed for two devices, even when signed by the AIK', async () => {
    const w = await identityWorld();
    const v1 = decodeDeviceListBody(w.v1.body);
    const dupId = { ...w.agent.entry, deviceId: w.admin.entry.deviceId };
    const dupKey = { ...w.agent.entry, dhIdentityKey: w.admin.entry.dhIdentityKey };
    for (const devices of [
      [w.owner.entry, w.admin.entry, dupId],
      [w.owner.entry, w.admin.entry, dupKey],
    ]) {
      const signed = await signRaw(w.identity, encodeDeviceListBody(withDevices(v1, devices)));
      await expect(verifySignedDeviceList(signed, w.identity.signing.publicKey)).rejects.toBeInstanceOf(DecodeError);
      await expect(createNextDeviceList(w.identity, w.v1, { devices }, w.env)).rejects.toBeInstanceOf(DecodeError);
    }
  });

  it(`rejects a list past the cap of ${LIMITS.maxDevicesPerList} devices (decoder: DecodeError before reading entries; signer: LimitError)`, async () => {
    const w = await identityWorld();
    const v1 = decodeDeviceListBody(w.v1.body);
    const many: DeviceEntry[] = [w.owner.entry];
    for (let i = 1; i <= LIMITS.maxDevicesPerList; i++) {
      const id = new Uint8Array(16);
      id[0] = i;
      const key = new Uint8Array(32);
      key[0] = i;
      const dh = new Uint8Array(32);
      dh[1] = i;
      many.push({ ...w.agent.entry, deviceId: asDeviceId(id), signingKey: key, dhIdentityKey: dh });
    }
    expect(() => validateDeviceList(withDevices(v1, many))).toThrow(LimitError);
    await expect(createNextDeviceList(w.identity, w.v1, { devices: many }, w.env)).rejects.toBeInstanceOf(LimitError);
    // A hand-built body with 65 entries (same layout, larger list cap), validly signed.
    const loose = versioned(
      struct({
        accountId: accountIdCodec,
        version: u32,
        previousHash: fixedBytes(32),
        accountKey: fixedBytes(32),
        recoveryKey: optional(fixedBytes(32)),
        issuedAt: u64,
        devices: listCodec(deviceEntryCodec, 1000),
      }),
    );
    const body = encode(loose, { ...v1, recoveryKey: v1.recoveryKey, devices: many });
    await expect(
      verifySignedDeviceList(await signRaw(w.identity, body), w.identity.signing.publicKey),
    ).rejects.toBeInstanceOf(DecodeError);
  });

  it('rejects a signed list whose agent name carries a bidi override (InvalidDisplayNameError)', async () => {
    const w = await identityWorld();
    const v1 = decodeDeviceListBody(w.v1.body);
    const spoof = { ...w.agent.entry, agentName: 'Olivia Owner\u202E' };
    const signed = await signRaw(w.identity, encodeDeviceListBody(withDevices(v1, [w.owner.entry, spoof])));
    await expect(verifySignedDeviceList(signed, w.identity.signing.publicKey)).rejects.toBeInstanceOf(
      InvalidDisplayNameError,
    );
    await expect(
      createNextDeviceList(w.identity, w.v1, { devices: [w.owner.entry, spoof] }, w.env),
    ).rejects.toBeInstanceOf(InvalidDisplayNameError);
  });

  it('rejects chain-rule violations: version 0, v1 with a previous hash, v2 without one, no owner, one agent with two roles', async () => {
    const w = await identityWorld();
    const v1 = decodeDeviceListBody(w.v1.body);
    const bad: DeviceList[] = [
      { ...v1, version: 0 },
      { ...v1, previousHash: new Uint8Array(32).fill(1) },
      { ...v1, version: 2 },
      withDevices(v1, [w.admin.entry, w.agent.entry]),
      withDevices(v1, [w.owner.entry, { ...w.agent.entry, agentId: w.admin.entry.agentId }, w.admin.entry]),
    ];
    for (const list of bad) {
      await expect(
        verifySignedDeviceList(await signRaw(w.identity, encodeDeviceListBody(list)), w.identity.signing.publicKey),
      ).rejects.toBeInstanceOf(DecodeError);
    }
  });
});

describe('device list: sponsors and proofs of possession (#17.2)', () => {
  it('#17.2: an entry whose proof of possession is for another account, another agent, or missing is refused (SignatureError)', async () => {
    const w = await identityWorld('pop-refused');
    const v1 = decodeDeviceListBody(w.v1.body);
    const other = await identityWorld('pop-other-account');
    const previousHash = await deviceListHash(w.v1.body);
    const foreign = other.agent.entry; // a valid proof, for the other account
    const wrongAgent = {
      ...w.agent.entry,
      agentId: w.admin.entry.agentId,
      agentName: 'Adam Admin',
      role: 'admin' as const,
    };
    const zeroProof = { ...w.agent.entry, proofOfPossession: new Uint8Array(64) };
    for (const entry of [{ ...foreign, sponsorId: w.owner.entry.deviceId }, wrongAgent, zeroProof]) {
      const devices = [...v1.devices.filter((d) => !idEquals(d.deviceId, entry.deviceId)), entry];
      const body = encodeDeviceListBody({ ...v1, version: 2, previousHash, devices });
      await expect(
        verifySignedDeviceList(await signRaw(w.identity, body), w.identity.signing.publicKey),
      ).rejects.toBeInstanceOf(SignatureError);
    }
  });

  it('#17.2: sponsors: version 1 names sponsors of its own list; a new device names one of the previous list; a kept device keeps its sponsor', async () => {
    const w = await identityWorld('sponsors');
    const v1 = decodeDeviceListBody(w.v1.body);
    // Version 1 with a sponsor that is not listed.
    const stray = { ...v1, devices: [{ ...w.owner.entry, sponsorId: w.agent.entry.deviceId }] };
    expect(() => validateDeviceList(stray)).toThrow(DecodeError);
    // A new device sponsored by a device that is itself new (not in the previous list).
    const first = await newMember(w.env, 'Nia New', 'agent');
    const keys = await createDeviceKeys(w.env);
    const second = await deviceEntryOf(
      keys,
      { agentId: first.entry.agentId, agentName: 'Nia New', kind: 'pwa', role: 'agent' },
      w.identity.accountId,
      first.entry.deviceId,
    );
    await expect(
      createNextDeviceList(w.identity, w.v1, { devices: [...v1.devices, first.entry, second] }, w.env),
    ).rejects.toBeInstanceOf(DecodeError);
    // A kept device whose sponsor is rewritten (to hide who added it).
    const rewritten = v1.devices.map((d) =>
      idEquals(d.deviceId, w.agent.entry.deviceId) ? { ...d, sponsorId: w.admin.entry.deviceId } : d,
    );
    await expect(createNextDeviceList(w.identity, w.v1, { devices: rewritten }, w.env)).rejects.toBeInstanceOf(
      DecodeError,
    );
    // The same lists signed raw are refused by a view that holds the previous list.
    const view = requireAccepted(await receiveDeviceList(createDirectoryView(w.pin), w.v1, w.env)).state;
    const raw = await signRaw(
      w.identity,
      encodeDeviceListBody({ ...v1, version: 2, previousHash: await deviceListHash(w.v1.body), devices: rewritten }),
    );
    const update = await receiveDeviceList(view, raw, w.env);
    expect(update.rejected).toBeInstanceOf(DecodeError);
    expect(update.state).toBe(view);
    // An owner device the AIK holder adds directly may sponsor itself.
    const ownerPhone = await deviceEntryOf(
      await createDeviceKeys(w.env),
      { agentId: w.owner.entry.agentId, agentName: 'Olivia Owner', kind: 'pwa', role: 'owner' },
      w.identity.accountId,
    );
    const v2 = await createNextDeviceList(w.identity, w.v1, { devices: [...v1.devices, ownerPhone] }, w.env);
    expect(requireAccepted(await receiveDeviceList(view, v2, w.env)).list?.version).toBe(2);
  });
});
