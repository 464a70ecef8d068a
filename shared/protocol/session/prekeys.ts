/**
 * Signed prekeys and one-time prekeys of one agent device (X3DH §2.4, §3.2, §3.3, §3.4 — Signal's X3DH
 * spec; docs/PROTOCOL.md §3.3). Pure transitions over a plain, structured-cloneable state:
 * - a signed prekey (SPK) signed by the device signing key, rotated every `rotateAfterMs`; the
 *   replaced one is kept for `graceMs` (X3DH §3.2: Bob "may keep the private key corresponding to the
 *   previous signed prekey around for some period of time") so
 *   that first messages in flight still open, then deleted;
 * - one-time prekeys (OPK), each used once and deleted at once (X3DH §3.4: "deletes any one-time
 *   prekey private key that was used"); a second use of one id is a ReplayError and a `prekeyReuse` alert.
 * `verifyPrekeyBundle` is what an initiator runs on a bundle from the untrusted directory.
 */
import {
  constantTimeEqual,
  wipe,
  ED25519_PUBLIC_KEY_BYTES,
  ED25519_SIGNATURE_BYTES,
  ed25519Sign,
  ed25519Verify,
  X25519_KEY_BYTES,
  type X25519KeyPair,
  x25519KeyPairFromSeed,
} from '../../crypto/index.js';
import { InvalidKeyError, LimitError, SignatureError, UsageError } from '../../errors/index.js';
import { encode, type DeviceId, idEquals, idToHex } from '../../wire/index.js';
import {
  ALERT_KINDS,
  type SecurityAlert,
  type ProtocolEnv,
  ProtocolStateError,
  ReplayError,
  StaleSignedPrekeyError,
  SUSPECTS,
  type DeviceEntry,
  type PrekeyBundle,
} from '../core/index.js';
import { type DeviceKeys, IDENTITY_LABELS, labelled } from '../identity/index.js';
import { type SignedPrekeyStatement, signedPrekeyStatementCodec } from './prekey-codec.js';
import {
  BAD_PREKEY_KINDS,
  BadPrekeyError,
  FirstContactCacheFullError,
  FirstContactReplayError,
} from './session-errors.js';
import { isSmallOrderX25519 } from './small-order.js';

const DAY_MS = 86_400_000;

/** Prekey timing and counts (PROTOCOL §3.3, §14). */
export const PREKEY_POLICY = {
  /** A device makes a new signed prekey once the current one is this old. */
  rotateAfterMs: 7 * DAY_MS,
  /** Initiators refuse a signed prekey older than this (alert `staleSignedPrekey`). */
  maxAgeMs: 14 * DAY_MS,
  /** A replaced signed prekey's private key is kept this long after its replacement, then deleted. */
  graceMs: 28 * DAY_MS,
  /** At most this many replaced signed prekeys are kept (oldest deleted first), whatever their age. */
  maxRetired: 8,
  /** Initiators refuse a signed prekey dated further than this in the future (clock skew). */
  maxFutureSkewMs: 10 * 60_000,
  /** One-time prekeys kept ready (and uploaded) per device. */
  oneTimeBatch: 100,
  /** Hard cap of one-time prekeys held by one device. */
  maxOneTimePrekeys: 1000,
  /**
   * First contacts without a one-time prekey remembered per signed prekey (replay cache, PROTOCOL
   * §3.3); past it such first contacts are refused and `maintainPrekeys` rotates the signed prekey.
   */
  maxFirstContactsWithoutOneTimePrekey: 10_000,
} as const;

export const PREKEY_STATE_VERSION = 1;
const MAX_PREKEY_ID = 0xffff_ffff;

export interface SignedPrekeyRecord {
  readonly id: number;
  readonly keyPair: X25519KeyPair;
  readonly createdAt: number;
  readonly signature: Uint8Array;
  /** When a newer signed prekey replaced this one (only on retired records). */
  readonly retiredAt?: number;
  /**
   * Session ids of the first contacts accepted with this signed prekey and no one-time prekey
   * (issue #9 item 5): a replay of one is refused even after its conversation state is gone. Deleted
   * with the signed prekey, so bounded by its lifetime and by the policy cap.
   */
  readonly firstContactsWithoutOneTimePrekey: readonly Uint8Array[];
}

export interface OneTimePrekeyRecord {
  readonly id: number;
  readonly keyPair: X25519KeyPair;
}

export interface PrekeyState {
  readonly version: typeof PREKEY_STATE_VERSION;
  readonly deviceId: DeviceId;
  readonly current: SignedPrekeyRecord;
  /** Replaced signed prekeys still inside their grace period, newest first. */
  readonly retired: readonly SignedPrekeyRecord[];
  readonly oneTime: readonly OneTimePrekeyRecord[];
  readonly nextSignedPrekeyId: number;
  readonly nextOneTimePrekeyId: number;
}

/** What the device uploads to the directory: its current signed prekey and one-time public keys. */
export interface PrekeyUpload {
  readonly deviceId: DeviceId;
  readonly signedPrekeyId: number;
  readonly signedPrekey: Uint8Array;
  readonly signedPrekeyCreatedAt: number;
  readonly signedPrekeySignature: Uint8Array;
  readonly oneTimePrekeys: readonly { readonly id: number; readonly publicKey: Uint8Array }[];
}

function statementBytes(statement: SignedPrekeyStatement): Uint8Array {
  return labelled(IDENTITY_LABELS.signedPrekey, encode(signedPrekeyStatementCodec, statement));
}

async function keyPairFromRng(env: ProtocolEnv): Promise<X25519KeyPair> {
  const seed = env.rng(X25519_KEY_BYTES);
  try {
    return await x25519KeyPairFromSeed(seed);
  } finally {
    wipe(seed);
  }
}

async function newSignedPrekey(device: DeviceKeys, id: number, env: ProtocolEnv): Promise<SignedPrekeyRecord> {
  const keyPair = await keyPairFromRng(env);
  const createdAt = env.now();
  const signature = await ed25519Sign(
    device.signing.privateKey,
    statementBytes({ deviceId: device.deviceId, signedPrekeyId: id, signedPrekey: keyPair.publicKey, createdAt }),
  );
  return { id, keyPair, createdAt, signature, firstContactsWithoutOneTimePrekey: [] };
}

function nextId(id: number): number {
  if (id >= MAX_PREKEY_ID) throw new LimitError('the prekey id counter is exhausted; create new device keys');
  return id + 1;
}

async function newOneTimePrekeys(firstId: number, count: number, env: ProtocolEnv): Promise<OneTimePrekeyRecord[]> {
  const out: OneTimePrekeyRecord[] = [];
  for (let i = 0; i < count; i++) {
    if (firstId + i > MAX_PREKEY_ID)
      throw new LimitError('the one-time prekey id counter is exhausted; create new device keys');
    out.push({ id: firstId + i, keyPair: await keyPairFromRng(env) });
  }
  return out;
}

/** A device's first prekeys: signed prekey id 1 and `oneTimeCount` one-time prekeys from id 1. */
export async function createPrekeyState(
  device: DeviceKeys,
  env: ProtocolEnv,
  oneTimeCount: number = PREKEY_POLICY.oneTimeBatch,
): Promise<PrekeyState> {
  if (!Number.isInteger(oneTimeCount) || oneTimeCount < 0 || oneTimeCount > PREKEY_POLICY.maxOneTimePrekeys) {
    throw new UsageError(`one-time prekey count must be 0..${PREKEY_POLICY.maxOneTimePrekeys}, got ${oneTimeCount}`);
  }
  const current = await newSignedPrekey(device, 1, env);
  const oneTime = await newOneTimePrekeys(1, oneTimeCount, env);
  return {
    version: PREKEY_STATE_VERSION,
    deviceId: device.deviceId,
    current,
    retired: [],
    oneTime,
    nextSignedPrekeyId: 2,
    nextOneTimePrekeyId: oneTimeCount + 1,
  };
}

function unexpired(retired: readonly SignedPrekeyRecord[], now: number): SignedPrekeyRecord[] {
  return retired
    .filter((r) => r.retiredAt !== undefined && now - r.retiredAt < PREKEY_POLICY.graceMs)
    .slice(0, PREKEY_POLICY.maxRetired);
}

/** Replaces the signed prekey now; the old one is kept for the grace period (X3DH §3.2). */
export async function rotateSignedPrekey(
  state: PrekeyState,
  device: DeviceKeys,
  env: ProtocolEnv,
): Promise<PrekeyState> {
  if (!idEquals(state.deviceId, device.deviceId)) throw new UsageError('these prekeys belong to another device');
  const now = env.now();
  const current = await newSignedPrekey(device, state.nextSignedPrekeyId, env);
  const retired = unexpired([{ ...state.current, retiredAt: now }, ...state.retired], now);
  return { ...state, current, retired, nextSignedPrekeyId: nextId(state.nextSignedPrekeyId) };
}

export interface PrekeyMaintenance {
  readonly state: PrekeyState;
  readonly rotated: boolean;
  /** Number of one-time prekeys created (to upload). */
  readonly added: number;
  /** Number of retired signed prekeys deleted because their grace period ended. */
  readonly deleted: number;
}

/**
 * The periodic job: rotate the signed prekey when due, delete retired ones past their grace
 * period, and top the one-time prekeys up to `PREKEY_POLICY.oneTimeBatch`.
 */
export async function maintainPrekeys(
  state: PrekeyState,
  device: DeviceKeys,
  env: ProtocolEnv,
): Promise<PrekeyMaintenance> {
  const now = env.now();
  // Rotate when the key is old enough, or early when its replay cache is full (PROTOCOL §3.3).
  const due =
    now - state.current.createdAt >= PREKEY_POLICY.rotateAfterMs ||
    state.current.firstContactsWithoutOneTimePrekey.length >= PREKEY_POLICY.maxFirstContactsWithoutOneTimePrekey;
  const rotatedState = due ? await rotateSignedPrekey(state, device, env) : state;
  const retired = unexpired(rotatedState.retired, now);
  const deleted = (due ? state.retired.length + 1 : state.retired.length) - retired.length;
  const missing = Math.max(0, PREKEY_POLICY.oneTimeBatch - rotatedState.oneTime.length);
  const fresh = await newOneTimePrekeys(rotatedState.nextOneTimePrekeyId, missing, env);
  return {
    state: {
      ...rotatedState,
      retired,
      oneTime: [...rotatedState.oneTime, ...fresh],
      nextOneTimePrekeyId: rotatedState.nextOneTimePrekeyId + missing,
    },
    rotated: due,
    added: missing,
    deleted,
  };
}

/** The public halves to upload to the directory. */
export function prekeyUpload(state: PrekeyState): PrekeyUpload {
  return {
    deviceId: state.deviceId,
    signedPrekeyId: state.current.id,
    signedPrekey: new Uint8Array(state.current.keyPair.publicKey),
    signedPrekeyCreatedAt: state.current.createdAt,
    signedPrekeySignature: new Uint8Array(state.current.signature),
    oneTimePrekeys: state.oneTime.map((o) => ({ id: o.id, publicKey: new Uint8Array(o.keyPair.publicKey) })),
  };
}

/** A bundle as the directory would serve it, with one-time prekey `oneTimeId` when given. */
export function prekeyBundleOf(state: PrekeyState, oneTimeId?: number): PrekeyBundle {
  const base = {
    deviceId: state.deviceId,
    signedPrekeyId: state.current.id,
    signedPrekey: new Uint8Array(state.current.keyPair.publicKey),
    signedPrekeyCreatedAt: state.current.createdAt,
    signedPrekeySignature: new Uint8Array(state.current.signature),
  };
  if (oneTimeId === undefined) return base;
  const record = state.oneTime.find((o) => o.id === oneTimeId);
  if (record === undefined) throw new UsageError(`one-time prekey ${oneTimeId} is not held by this device`);
  return { ...base, oneTimePrekey: { id: record.id, publicKey: new Uint8Array(record.keyPair.publicKey) } };
}

/**
 * The signed prekey private key named by a first message: the current one or a retired one still
 * in its grace period. ProtocolStateError when it is unknown or already deleted.
 */
export function signedPrekeyFor(state: PrekeyState, id: number, now: number): X25519KeyPair {
  if (state.current.id === id) return state.current.keyPair;
  const record = unexpired(state.retired, now).find((r) => r.id === id);
  if (record === undefined) throw new ProtocolStateError(`signed prekey ${id} is unknown or past its grace period`);
  return record.keyPair;
}

/**
 * Records a first contact that named signed prekey `signedPrekeyId` and no one-time prekey (X3DH
 * §4.2 replay: PROTOCOL §3.3). Returns the new state, which the caller saves with the conversation.
 * FirstContactReplayError when that session id was accepted before (the relay replays a recorded
 * first message), FirstContactCacheFullError when the cache of that signed prekey is full,
 * ProtocolStateError when the signed prekey is unknown or past its grace period.
 */
export function recordFirstContactWithoutOneTimePrekey(
  state: PrekeyState,
  signedPrekeyId: number,
  sessionId: Uint8Array,
  now: number,
): PrekeyState {
  signedPrekeyFor(state, signedPrekeyId, now);
  const isCurrent = state.current.id === signedPrekeyId;
  const record = isCurrent ? state.current : state.retired.find((r) => r.id === signedPrekeyId);
  if (record === undefined) throw new ProtocolStateError(`signed prekey ${signedPrekeyId} is unknown`);
  const seen = record.firstContactsWithoutOneTimePrekey;
  if (seen.some((id) => constantTimeEqual(id, sessionId))) {
    throw new FirstContactReplayError(
      `a first contact without a one-time prekey on signed prekey ${signedPrekeyId} was accepted before (replayed)`,
    );
  }
  if (seen.length >= PREKEY_POLICY.maxFirstContactsWithoutOneTimePrekey) {
    throw new FirstContactCacheFullError(
      `signed prekey ${signedPrekeyId} took ${seen.length} first contacts without a one-time prekey: rotate it`,
    );
  }
  const updated: SignedPrekeyRecord = { ...record, firstContactsWithoutOneTimePrekey: [...seen, sessionId.slice()] };
  return isCurrent
    ? { ...state, current: updated }
    : { ...state, retired: state.retired.map((r) => (r.id === signedPrekeyId ? updated : r)) };
}

export interface ConsumedOneTimePrekey {
  readonly state: PrekeyState;
  readonly keyPair: X25519KeyPair;
}

/**
 * Takes one-time prekey `id` out of the state (X3DH §3.4: deleted after use). The caller saves
 * the returned state before it answers. ReplayError when the id was used before or never issued
 * (the directory handed it out twice): see `oneTimePrekeyReuseAlert`.
 */
export function consumeOneTimePrekey(state: PrekeyState, id: number): ConsumedOneTimePrekey {
  const record = state.oneTime.find((o) => o.id === id);
  if (record === undefined) {
    throw new ReplayError(
      `one-time prekey ${id} was already used or never issued by device ${idToHex(state.deviceId)}`,
    );
  }
  return { state: { ...state, oneTime: state.oneTime.filter((o) => o.id !== id) }, keyPair: record.keyPair };
}

/** The alert for a one-time prekey handed out twice (security brief §4). */
export function oneTimePrekeyReuseAlert(deviceId: DeviceId, id: number): SecurityAlert {
  return {
    kind: ALERT_KINDS.prekeyReuse,
    detail: `one-time prekey ${id} of device ${idToHex(deviceId)} was used before: the directory handed it out twice`,
    deviceId,
    suspects: [SUSPECTS.relay],
  };
}

/**
 * Checks a bundle from the untrusted directory against the device's entry in the verified device
 * list (X3DH §3.3: "Alice verifies the prekey signature and aborts the protocol if verification
 * fails"), at time `now`:
 * - device id matches the entry (else SignatureError: a bundle moved from another device);
 * - key lengths (InvalidKeyError), signature length and validity (SignatureError);
 * - age: older than PREKEY_POLICY.maxAgeMs or dated in the future → StaleSignedPrekeyError.
 * Map an error to the alert to show with `prekeyBundleAlert`.
 */
export async function verifyPrekeyBundle(bundle: PrekeyBundle, device: DeviceEntry, now: number): Promise<void> {
  const id = idToHex(device.deviceId);
  if (device.signingKey.length !== ED25519_PUBLIC_KEY_BYTES) {
    throw new InvalidKeyError(
      `device ${id}: signing key must be ${ED25519_PUBLIC_KEY_BYTES} bytes, got ${device.signingKey.length}`,
    );
  }
  if (!idEquals(bundle.deviceId, device.deviceId)) {
    throw new SignatureError(`prekey bundle for device ${idToHex(bundle.deviceId)} was offered for device ${id}`);
  }
  if (bundle.signedPrekey.length !== X25519_KEY_BYTES) {
    throw new InvalidKeyError(
      `device ${id}: signed prekey must be ${X25519_KEY_BYTES} bytes, got ${bundle.signedPrekey.length}`,
    );
  }
  if (bundle.oneTimePrekey !== undefined && bundle.oneTimePrekey.publicKey.length !== X25519_KEY_BYTES) {
    throw new InvalidKeyError(
      `device ${id}: one-time prekey must be ${X25519_KEY_BYTES} bytes, got ${bundle.oneTimePrekey.publicKey.length}`,
    );
  }
  if (bundle.signedPrekeySignature.length !== ED25519_SIGNATURE_BYTES) {
    throw new SignatureError(
      `device ${id}: signed prekey signature must be ${ED25519_SIGNATURE_BYTES} bytes, got ${bundle.signedPrekeySignature.length}`,
    );
  }
  if (
    !Number.isSafeInteger(bundle.signedPrekeyCreatedAt) ||
    bundle.signedPrekeyCreatedAt < 0 ||
    !Number.isInteger(bundle.signedPrekeyId) ||
    bundle.signedPrekeyId < 0 ||
    bundle.signedPrekeyId > MAX_PREKEY_ID
  ) {
    throw new SignatureError(`device ${id}: signed prekey id or date is out of range`);
  }
  const statement = statementBytes({
    deviceId: device.deviceId,
    signedPrekeyId: bundle.signedPrekeyId,
    signedPrekey: bundle.signedPrekey,
    createdAt: bundle.signedPrekeyCreatedAt,
  });
  // X3DH §3.3: verify Sig(IKB, Encode(SPKB)) with the device signing key from the signed list.
  if (!(await ed25519Verify(device.signingKey, statement, bundle.signedPrekeySignature))) {
    throw new SignatureError(`device ${id}: the signed prekey signature does not verify`);
  }
  const age = now - bundle.signedPrekeyCreatedAt;
  if (age > PREKEY_POLICY.maxAgeMs) {
    throw new StaleSignedPrekeyError(
      `device ${id}: signed prekey ${bundle.signedPrekeyId} is ${Math.floor(age / DAY_MS)} days old (limit ${PREKEY_POLICY.maxAgeMs / DAY_MS})`,
    );
  }
  if (-age > PREKEY_POLICY.maxFutureSkewMs) {
    throw new StaleSignedPrekeyError(`device ${id}: signed prekey ${bundle.signedPrekeyId} is dated in the future`);
  }
  // RFC 7748 §6.1: a small-order key makes its DH output all zero (issue #9 item 2: that device only).
  if (isSmallOrderX25519(bundle.signedPrekey)) {
    throw new BadPrekeyError(BAD_PREKEY_KINDS.signed, `device ${id}: its signed prekey is a small-order point`);
  }
  if (bundle.oneTimePrekey !== undefined && isSmallOrderX25519(bundle.oneTimePrekey.publicKey)) {
    throw new BadPrekeyError(
      BAD_PREKEY_KINDS.oneTime,
      `device ${id}: one-time prekey ${bundle.oneTimePrekey.id} is a small-order point`,
    );
  }
  if (isSmallOrderX25519(device.dhIdentityKey)) {
    throw new BadPrekeyError(BAD_PREKEY_KINDS.identity, `device ${id}: its listed identity key is a small-order point`);
  }
}

/**
 * The alert an initiator shows when `verifyPrekeyBundle` (or the X3DH with that device) rejected a
 * bundle, undefined for other errors. Suspects (PROTOCOL §7.8): the directory serves bundles and may
 * swap or replay them; a small-order signed prekey names the device alone, a small-order listed
 * identity key the device and the account key that listed it, the unsigned one-time prekey either
 * the relay or the device.
 */
export function prekeyBundleAlert(error: unknown, deviceId: DeviceId): SecurityAlert | undefined {
  const device = SUSPECTS.participant(deviceId);
  const hex = idToHex(deviceId);
  if (error instanceof BadPrekeyError) {
    const suspects =
      error.which === BAD_PREKEY_KINDS.signed
        ? [device]
        : error.which === BAD_PREKEY_KINDS.identity
          ? [device, SUSPECTS.accountKey]
          : [SUSPECTS.relay, device];
    return {
      kind: ALERT_KINDS.badPrekey,
      detail: `device ${hex} offered an unusable key (${error.which})`,
      deviceId,
      suspects,
    };
  }
  if (error instanceof StaleSignedPrekeyError) {
    return {
      kind: ALERT_KINDS.staleSignedPrekey,
      detail: `device ${hex} offered a stale signed prekey`,
      deviceId,
      suspects: [SUSPECTS.relay, device],
    };
  }
  if (error instanceof SignatureError || error instanceof InvalidKeyError) {
    return {
      kind: ALERT_KINDS.badSignature,
      detail: `device ${hex} offered a prekey bundle that does not verify`,
      deviceId,
      suspects: [SUSPECTS.relay],
    };
  }
  return undefined;
}
