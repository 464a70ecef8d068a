/**
 * An agent device's prekeys on the relay (PROTOCOL §3.3): the signed bundle and one-time prekeys.
 * Maintenance runs at start, on a timer, and early, as soon as the device holds fewer than
 * REPLENISH_BELOW unused one-time prekeys: `maintainPrekeys` rotates the signed prekey when it is
 * due and tops the one-time prekeys up; the new state is saved BEFORE anything is uploaded
 * (a crash in between re-uploads, never re-uses a key), then whatever the relay has not got yet
 * is uploaded (`uploadedThrough` in the account record).
 */
import {
  type DeviceKeys,
  PREKEY_POLICY,
  type PrekeyState,
  type ProtocolEnv,
  maintainPrekeys,
  prekeyUpload,
} from '../protocol/index.js';
import type { RelayAuth, RelayHttp } from '../transport/index.js';
import type { AccountId } from '../wire/index.js';
import { oneTimePrekeyBlob, publishedBundle } from './prekey-fetch.js';

/** Replenish early, well before a burst of visitors empties the relay's stock. */
export const REPLENISH_BELOW = Math.floor(PREKEY_POLICY.oneTimeBatch / 2);
/** How often the timer checks (rotation is due after 7 days; this catches it within the hour). */
export const MAINTAIN_EVERY_MS = 60 * 60_000;
/** One-time prekeys per upload request. */
const UPLOAD_CHUNK = 100;

export interface PrekeyPublication {
  /** The signed prekey id the relay's bundle carries. */
  readonly bundleSignedPrekeyId: number;
  /** One-time prekeys with an id up to this one are on the relay. */
  readonly uploadedThrough: number;
}

export function needsMaintenance(state: PrekeyState, now: number): boolean {
  return state.oneTime.length < REPLENISH_BELOW || now - state.current.createdAt >= PREKEY_POLICY.rotateAfterMs;
}

export async function maintained(state: PrekeyState, device: DeviceKeys, env: ProtocolEnv): Promise<PrekeyState> {
  return (await maintainPrekeys(state, device, env)).state;
}

/** Uploads what the relay lacks; returns the new publication marks (the caller saves them). */
export async function publishPrekeys(
  http: RelayHttp,
  accountId: AccountId,
  state: PrekeyState,
  published: PrekeyPublication,
  auth: RelayAuth,
): Promise<PrekeyPublication> {
  const upload = prekeyUpload(state);
  let { bundleSignedPrekeyId, uploadedThrough } = published;
  if (bundleSignedPrekeyId !== upload.signedPrekeyId) {
    await http.directory.putBundle(accountId, state.deviceId, publishedBundle(upload), auth);
    bundleSignedPrekeyId = upload.signedPrekeyId;
  }
  const fresh = upload.oneTimePrekeys.filter((p) => p.id > uploadedThrough);
  for (let i = 0; i < fresh.length; i += UPLOAD_CHUNK) {
    const chunk = fresh.slice(i, i + UPLOAD_CHUNK);
    await http.directory.uploadOneTimePrekeys(accountId, state.deviceId, chunk.map(oneTimePrekeyBlob), auth);
    uploadedThrough = Math.max(uploadedThrough, ...chunk.map((p) => p.id));
  }
  return { bundleSignedPrekeyId, uploadedThrough };
}
