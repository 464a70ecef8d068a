// PROTOCOL §4.8 across the runtime bridge (ui/bridge): the `removed` event reaches the page, erase is
// refused before a removal, and a runtime that erased its device is replaced: the next call starts a
// new one (the extension's background keeps running; without this it would serve the erased runtime,
// its store closed, to the app's first screen).
import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceRemoval } from '../../../shared/runtime/index.js';
import { RemoteRuntimeError } from '../../../ui/errors/app-errors.js';
import { ACCOUNT, bridgeSetup, disposeBridges } from './bridge-setup.js';

afterEach(disposeBridges);

describe('§4.8 the bridge and a removed device', () => {
  it('carries `removed`, refuses erase before a removal, and starts a new runtime after an erase', async () => {
    const { client, runtimes } = bridgeSetup('json');
    await client.createAccount(ACCOUNT);
    const refused = await client.eraseDevice().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RemoteRuntimeError);
    expect(refused).toMatchObject({ code: 'erase-not-allowed' });

    const told: DeviceRemoval[] = [];
    client.on('removed', (removal) => told.push(removal));
    runtimes[0]?.removeThisDevice(7);
    await expect.poll(() => told.length).toBe(1);
    expect(told[0]?.listVersion).toBe(7);
    expect((await client.status()).removed?.listVersion).toBe(7);

    await client.eraseDevice();
    expect(runtimes[0]?.erased).toBe(1);
    expect(await client.status()).toEqual({ enrolled: false });
    expect(runtimes).toHaveLength(2);
  });
});
