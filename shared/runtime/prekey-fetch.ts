/**
 * Prekey bundles from the relay for the devices of a verified list (PROTOCOL §3.3): the signed
 * bundle a device published, plus one one-time prekey claimed for this first contact. The
 * relay stores one-time prekeys as opaque blobs; their layout is this runtime's
 * (`oneTimePrekeyBlob`: u32 id || X25519 public key [32], unsigned as in X3DH). Bundles are not
 * trusted here: shared/protocol verifies each against the list before any X3DH (§3.3).
 */
import {
  type DeviceEntry,
  type PrekeyBundle,
  decodePrekeyBundle,
  encodePrekeyBundle,
  type PrekeyUpload,
} from '../protocol/index.js';
import type { VisitorHttp } from '../transport/index.js';
import { type AccountId, DecodeError, idEquals } from '../wire/index.js';

const OTK_BLOB_BYTES = 36;

export function oneTimePrekeyBlob(prekey: { readonly id: number; readonly publicKey: Uint8Array }): Uint8Array {
  const out = new Uint8Array(OTK_BLOB_BYTES);
  new DataView(out.buffer).setUint32(0, prekey.id);
  out.set(prekey.publicKey, 4);
  return out;
}

export function readOneTimePrekeyBlob(blob: Uint8Array): { readonly id: number; readonly publicKey: Uint8Array } {
  if (blob.length !== OTK_BLOB_BYTES) throw new DecodeError(`a one-time prekey blob is ${OTK_BLOB_BYTES} bytes`);
  return { id: new DataView(blob.buffer, blob.byteOffset).getUint32(0), publicKey: blob.slice(4) };
}

/** The signed part of a device's upload, as the bundle it publishes (no one-time prekey). */
export function publishedBundle(upload: PrekeyUpload): Uint8Array {
  return encodePrekeyBundle({
    deviceId: upload.deviceId,
    signedPrekeyId: upload.signedPrekeyId,
    signedPrekey: upload.signedPrekey,
    signedPrekeyCreatedAt: upload.signedPrekeyCreatedAt,
    signedPrekeySignature: upload.signedPrekeySignature,
  });
}

/**
 * Bundles of `devices` (one per device that published one), each with a claimed one-time prekey
 * when the relay has one left. A malformed blob leaves that device out (the protocol then skips
 * it, PROTOCOL §7.4): one bad device never stops the conversation.
 */
export async function fetchBundles(
  http: VisitorHttp,
  accountId: AccountId,
  devices: readonly DeviceEntry[],
): Promise<PrekeyBundle[]> {
  const served = await http.directory.bundles(accountId);
  const out: PrekeyBundle[] = [];
  for (const device of devices) {
    const blob = served.find((b) => idEquals(b.deviceId, device.deviceId));
    if (blob === undefined) continue;
    let bundle: PrekeyBundle;
    try {
      bundle = decodePrekeyBundle(blob.bundle);
    } catch {
      continue;
    }
    const claimed = await http.directory.claimOneTimePrekey(accountId, device.deviceId);
    let oneTime: { readonly id: number; readonly publicKey: Uint8Array } | undefined;
    try {
      oneTime = claimed === undefined ? undefined : readOneTimePrekeyBlob(claimed);
    } catch {
      oneTime = undefined;
    }
    out.push(oneTime === undefined ? bundle : { ...bundle, oneTimePrekey: oneTime });
  }
  return out;
}
