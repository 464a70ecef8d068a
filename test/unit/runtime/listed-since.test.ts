/**
 * PROTOCOL §7.6: where an agent device reads L_D, the first device list version naming it, in its
 * own verified view (`shared/runtime/listed-since.ts`). The view keeps the newest lists only, so the
 * answer is a lower bound: never above the true first version (that would hide a real gap).
 */
import { describe, expect, it } from 'vitest';
import {
  createAccountIdentity,
  createDirectoryViewForKey,
  createFirstDeviceList,
  type DeviceEntry,
  type DirectoryView,
} from '../../../shared/protocol/index.js';
import { saveJoinedDevice } from '../../../shared/runtime/agent-account-record.js';
import { listedSinceOf } from '../../../shared/runtime/listed-since.js';
import { memoryStore } from '../../../shared/runtime/runtime-shapes.js';
import { bindAccount } from '../../support/account-binding.js';
import { hashSeededEnv } from '../../support/hash-seeded-env.js';
import { testDevice } from '../../support/test-device.js';

type AcceptedList = DirectoryView['history'][number];

describe('L_D from the device’s verified view (PROTOCOL §7.6)', () => {
  it('#15: the first kept version naming the device after one that does not; a lower bound when the kept lists do not tell', async () => {
    const env = hashSeededEnv('listed-since');
    const { identity } = await createAccountIdentity(env);
    bindAccount(env, { accountId: identity.accountId });
    const owner = await testDevice(env, 'Olga', 'owner');
    const phone = await testDevice(env, 'Olga');
    const view = await createDirectoryViewForKey(identity.signing.publicKey);
    // Kept lists with the versions asked for: only `version` and the signed body are read.
    const kept = async (version: number, devices: readonly DeviceEntry[]): Promise<AcceptedList> => {
      const signed = await createFirstDeviceList(identity, { devices }, env);
      return { version, hash: new Uint8Array(32), previousHash: new Uint8Array(32), signed };
    };
    const withHistory = (history: AcceptedList[]): DirectoryView => ({ ...view, history });
    const before = [owner.entry];
    const after = [owner.entry, phone.entry];
    const phoneId = phone.keys.deviceId;

    // Linked in version 5, after lists 3 and 4 without it.
    const linked = withHistory([await kept(3, before), await kept(4, before), await kept(5, after)]);
    expect(listedSinceOf(linked, phoneId)).toBe(5);
    // The owner is in every kept list and the oldest is 3: it may be listed since 1 or 2.
    expect(listedSinceOf(linked, owner.keys.deviceId)).toBe(0);
    // Listed in version 1: 1.
    expect(listedSinceOf(withHistory([await kept(1, after)]), phoneId)).toBe(1);
    // Versions 3 and 4 are not kept: first listed in 3, 4 or 5, so 3.
    expect(listedSinceOf(withHistory([await kept(2, before), await kept(5, after)]), phoneId)).toBe(3);
    // A device no kept list names: nothing known.
    expect(listedSinceOf(withHistory([await kept(2, before)]), phoneId)).toBe(0);
  });

  it('#15: a device keeps L_D when it joins, while its fresh view still holds the list before it; none when the view cannot tell', async () => {
    const env = hashSeededEnv('listed-since-join');
    const { identity } = await createAccountIdentity(env);
    bindAccount(env, { accountId: identity.accountId });
    const owner = await testDevice(env, 'Olga', 'owner');
    const view = await createDirectoryViewForKey(identity.signing.publicKey);
    const kept = async (version: number, devices: readonly DeviceEntry[]): Promise<AcceptedList> => {
      const signed = await createFirstDeviceList(identity, { devices }, env);
      return { version, hash: new Uint8Array(32), previousHash: new Uint8Array(32), signed };
    };
    /** A new device (its keys go to one store only) joins with the view `history(entry)` gives. */
    const join = async (history: (entry: DeviceEntry) => Promise<AcceptedList[]>) => {
      const phone = await testDevice(env, 'Olga');
      const store = memoryStore();
      const profile = {
        agentId: phone.entry.agentId,
        agentName: 'Olga',
        kind: phone.entry.kind,
        role: phone.entry.role,
      };
      const joined = { relayUrl: 'http://127.0.0.1:9', accountId: identity.accountId, keys: phone.keys, profile };
      await saveJoinedDevice(store, { ...joined, view: { ...view, history: await history(phone.entry) } }, env);
      return (await store.account())?.listedSince;
    };
    expect(await join(async (phone) => [await kept(4, [owner.entry]), await kept(5, [owner.entry, phone])])).toBe(5);
    expect(await join(async (phone) => [await kept(5, [owner.entry, phone])])).toBeUndefined();
  });
});
