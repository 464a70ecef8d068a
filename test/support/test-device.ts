/** Device keys and entries for key-sharing tests, made from a seeded env (see seeded-env.ts). */
import {
  createDeviceKeys,
  type DeviceKeys,
  deviceEntryOf,
  type ProtocolEnv,
  type DeviceEntry,
  type Role,
} from '../../shared/protocol/index.js';

export interface TestDevice {
  readonly keys: DeviceKeys;
  readonly entry: DeviceEntry;
}

export async function testDevice(
  env: ProtocolEnv,
  agentName: string,
  role: Role = 'agent',
  agentId?: Uint8Array,
): Promise<TestDevice> {
  const keys = await createDeviceKeys(env);
  const entry = deviceEntryOf(keys, { agentId: agentId ?? env.rng(16), agentName, kind: 'extension', role });
  return { keys, entry };
}
