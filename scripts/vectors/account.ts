/**
 * The account side of the vectors (docs/PROTOCOL.md §3, §4, §12.1): the account identity, the agent
 * ids, the devices with their prekeys, the signed device list (version 1) and the bundles. This is
 * the one file to adapt when the device list's API changes; the vectors are then regenerated.
 */
import { toHex } from '../../shared/crypto/index.js';
import {
  type AccountIdentity,
  businessFingerprint,
  businessFingerprintBytes,
  type ConversationDeviceList,
  conversationListOfSigned,
  createAccountIdentity,
  createDeviceKeys,
  createFirstDeviceList,
  createPrekeyState,
  type DeviceKeys,
  deviceEntryOf,
  encodePrekeyBundle,
  encodeSignedDeviceList,
  newAgentId,
  type PrekeyBundle,
  prekeyBundleOf,
  type PrekeyState,
  type SignedDeviceList,
} from '../../shared/protocol/index.js';
import type { BundleInput, VectorInputs } from './inputs.js';
import { type RecordingEnv, recordingEnv, type VectorClock } from './rng.js';

export interface VectorDevice {
  readonly label: string;
  readonly keys: DeviceKeys;
  readonly env: RecordingEnv;
  /** As created (what the device uploaded): the vectors list these keys. */
  readonly initialPrekeys: PrekeyState;
  /** The device's current prekeys (first contacts consume one-time prekeys). */
  prekeys: PrekeyState;
}

export interface VectorAccount {
  readonly env: RecordingEnv;
  readonly identity: AccountIdentity;
  readonly agentIds: readonly Uint8Array[];
  readonly devices: readonly VectorDevice[];
  readonly signed: SignedDeviceList;
  readonly list: ConversationDeviceList;
}

export async function createVectorAccount(inputs: VectorInputs, clock: VectorClock): Promise<VectorAccount> {
  const env = recordingEnv(inputs.seeds.account, clock);
  env.setStep('account');
  const { identity } = await createAccountIdentity(env.env);
  const agentIds = inputs.agents.map(() => newAgentId(env.env));
  const devices: VectorDevice[] = [];
  for (const input of inputs.devices) {
    const deviceEnv = recordingEnv(input.seed, clock);
    deviceEnv.setStep('device');
    const keys = await createDeviceKeys(deviceEnv.env);
    const prekeys = await createPrekeyState(keys, deviceEnv.env, input.oneTimePrekeys);
    devices.push({ label: input.label, keys, env: deviceEnv, initialPrekeys: prekeys, prekeys });
  }
  const entries = await Promise.all(
    inputs.devices.map((input, i) => {
      const agent = inputs.agents[input.agent];
      const agentId = agentIds[input.agent];
      const device = devices[i];
      if (agent === undefined || agentId === undefined || device === undefined)
        throw new Error(`device ${input.label} names agent ${input.agent}, which is not in the inputs`);
      return deviceEntryOf(
        device.keys,
        { agentId, agentName: agent.name, kind: input.kind, role: agent.role },
        identity.accountId,
      );
    }),
  );
  const signed = await createFirstDeviceList(identity, { devices: entries }, env.env);
  const list = await conversationListOfSigned(signed, identity.signing.publicKey);
  return { env, identity, agentIds, devices, signed, list };
}

export function deviceByLabel(account: VectorAccount, label: string): VectorDevice {
  const device = account.devices.find((d) => d.label === label);
  if (device === undefined) throw new Error(`no device labelled ${label} in the vector inputs`);
  return device;
}

export function bundleFor(account: VectorAccount, input: BundleInput): PrekeyBundle {
  const device = deviceByLabel(account, input.device);
  return prekeyBundleOf(device.initialPrekeys, input.oneTimePrekeyId ?? undefined);
}

/** The account part of the JSON: keys, fingerprint, devices, list and its hash. */
export async function accountJson(account: VectorAccount) {
  const accountKey = account.identity.signing.publicKey;
  return {
    accountId: toHex(account.identity.accountId),
    accountKey: toHex(accountKey),
    agentIds: account.agentIds.map(toHex),
    businessFingerprint: {
      bytes: toHex(await businessFingerprintBytes(accountKey)),
      text: await businessFingerprint(accountKey),
    },
    devices: account.devices.map((d) => ({
      label: d.label,
      deviceId: toHex(d.keys.deviceId),
      signingKey: toHex(d.keys.signing.publicKey),
      dhIdentityKey: toHex(d.keys.identityDh.publicKey),
      signedPrekey: {
        id: d.initialPrekeys.current.id,
        publicKey: toHex(d.initialPrekeys.current.keyPair.publicKey),
        createdAt: d.initialPrekeys.current.createdAt,
        signature: toHex(d.initialPrekeys.current.signature),
      },
      oneTimePrekeys: d.initialPrekeys.oneTime.map((o) => ({ id: o.id, publicKey: toHex(o.keyPair.publicKey) })),
    })),
    signedDeviceList: {
      encoded: toHex(encodeSignedDeviceList(account.signed)),
      body: toHex(account.signed.body),
      signature: toHex(account.signed.signature),
      version: account.list.version,
      hash: toHex(account.list.hash),
    },
  };
}

export function bundleJson(account: VectorAccount, input: BundleInput) {
  return { ...input, encoded: toHex(encodePrekeyBundle(bundleFor(account, input))) };
}
