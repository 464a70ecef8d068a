/**
 * PROTOCOL §9.9: team signals. Sealed and signed by the author device under the current archive
 * key, every kind the same 145 bytes; refused when re-attributed, from a device not in the current
 * list, tampered or of the wrong size; stale and replayed signals refused by TeamSignalOrder.
 */
import { describe, expect, it } from 'vitest';
import { DecodeError, SignatureError } from '../../../shared/errors/index.js';
import {
  createArchiveKeyring,
  openTeamSignal,
  sealTeamSignal,
  TEAM_SIGNAL_SIZES,
  TEAM_SIGNAL_TIMING,
  type TeamSignal,
  TeamSignalOrder,
  UnauthorisedDeviceError,
} from '../../../shared/protocol/index.js';
import { asConversationId } from '../../../shared/wire/index.js';
import { ArchiveAccount } from '../../support/archive-account.js';
import { hashSeededEnv } from '../../support/hash-seeded-env.js';
import { testDevice } from '../../support/test-device.js';

const NOW = 1_700_000_000_000;
const conversationId = asConversationId(new Uint8Array(16).fill(4));

async function team() {
  const env = hashSeededEnv('team-signal');
  const account = await ArchiveAccount.create(env);
  const owner = await testDevice(env, 'Olga', 'owner');
  account.sponsorNewDevicesBy(owner.keys.deviceId);
  const bea = await testDevice(env, 'Bea');
  const carl = await testDevice(env, 'Carl');
  await account.start([owner.entry, bea.entry, carl.entry]);
  const keyring = await createArchiveKeyring(env, account.identity, account.current);
  return { env, account, owner, bea, carl, keyring };
}

const signal = (kind: TeamSignal['kind'], at = NOW, sequence = 1): TeamSignal => ({
  conversationId,
  kind,
  at,
  sequence,
});

describe('§9.9 team signals', () => {
  it('round-trips every kind at one fixed size', async () => {
    const t = await team();
    for (const kind of ['viewing', 'typing', 'stopped'] as const) {
      const blob = await sealTeamSignal(t.keyring, t.env, t.bea.keys, signal(kind, NOW, 7));
      expect(blob).toHaveLength(TEAM_SIGNAL_SIZES.blob);
      expect(blob).toHaveLength(145);
      expect(await openTeamSignal(t.keyring, t.account.current.devices, t.bea.keys.deviceId, blob)).toEqual(
        signal(kind, NOW, 7),
      );
    }
  });

  it('refuses a re-attributed, unlisted, tampered or mis-sized signal', async () => {
    const t = await team();
    const blob = await sealTeamSignal(t.keyring, t.env, t.bea.keys, signal('typing'));
    const devices = t.account.current.devices;
    await expect(openTeamSignal(t.keyring, devices, t.carl.keys.deviceId, blob)).rejects.toBeInstanceOf(SignatureError);
    const withoutBea = devices.filter((d) => d !== devices.find((x) => x.agentName === 'Bea'));
    await expect(openTeamSignal(t.keyring, withoutBea, t.bea.keys.deviceId, blob)).rejects.toBeInstanceOf(
      UnauthorisedDeviceError,
    );
    for (const i of [30, 60, blob.length - 1]) {
      const tampered = blob.slice();
      tampered[i] = (tampered[i] ?? 0) ^ 1;
      await expect(openTeamSignal(t.keyring, devices, t.bea.keys.deviceId, tampered)).rejects.toBeInstanceOf(
        SignatureError,
      );
    }
    await expect(
      openTeamSignal(t.keyring, devices, t.bea.keys.deviceId, new Uint8Array([...blob, 0])),
    ).rejects.toBeInstanceOf(DecodeError);
    await expect(openTeamSignal(t.keyring, devices, t.bea.keys.deviceId, blob.subarray(1))).rejects.toBeInstanceOf(
      DecodeError,
    );
  });

  it('a device not in the keyring’s list cannot seal', async () => {
    const t = await team();
    const stranger = await testDevice(t.env, 'Mallory');
    await expect(sealTeamSignal(t.keyring, t.env, stranger.keys, signal('viewing'))).rejects.toBeInstanceOf(
      UnauthorisedDeviceError,
    );
  });

  it('order: stale either way and replays refused; a new run at a later time accepted', () => {
    const order = new TeamSignalOrder();
    const skew = TEAM_SIGNAL_TIMING.maxSkewMs;
    expect(order.admit('a', signal('viewing', NOW - skew - 1), NOW)).toBe('stale');
    expect(order.admit('a', signal('viewing', NOW + skew + 1), NOW)).toBe('stale');
    expect(order.admit('a', signal('viewing', NOW, 5), NOW)).toBe('accepted');
    expect(order.admit('a', signal('viewing', NOW, 5), NOW)).toBe('replay');
    expect(order.admit('a', signal('viewing', NOW, 4), NOW)).toBe('replay');
    expect(order.admit('a', signal('viewing', NOW - 1, 9), NOW)).toBe('replay');
    expect(order.admit('a', signal('typing', NOW, 6), NOW)).toBe('accepted');
    // Another device has its own order; a restarted author (sequence from 1) at a later time passes.
    expect(order.admit('b', signal('viewing', NOW, 1), NOW)).toBe('accepted');
    expect(order.admit('a', signal('viewing', NOW + 1, 1), NOW)).toBe('accepted');
  });
});
