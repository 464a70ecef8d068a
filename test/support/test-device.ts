/** Device keys and entries for key-sharing tests, made from a seeded env (see seeded-env.ts). */
import {
  createDeviceKeys,
  type DeviceKeys,
  deviceEntryOf,
  type ProtocolEnv,
  type DeviceEntry,
  type Role,
} from '../../shared/protocol/index.js';
import { accountBinding } from './account-binding.js';

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
  const { accountId, sponsorId } = accountBinding(env);
  const profile = { agentId: agentId ?? env.rng(16), agentName, kind: 'extension' as const, role };
  const entry = await deviceEntryOf(keys, profile, accountId, sponsorId);
  return { keys, entry };
}
