import { describe, expect, it } from 'vitest';
import {
  decodeDeviceListBody,
  applyChange,
  authoriseChange,
  type DeviceListChange,
  createNextDeviceList,
  findDevice,
  verifySignedDeviceList,
  ProtocolStateError,
  UnauthorisedDeviceError,
} from '../../../shared/protocol/index.js';
import { asDeviceId } from '../../../shared/wire/index.js';
import { DecodeError } from '../../../shared/errors/index.js';
import { identityWorld, newMember } from '../../support/identity-fixture.js';

describe('device list changes: roles (F11)', () => {
  it('F11: an owner may make any change, including granting roles', async () => {
    const w = await identityWorld();
    const list = decodeDeviceListBody(w.v1.body);
    const changes: DeviceListChange[] = [
      { kind: 'remove-agent', agentId: w.admin.entry.agentId },
      { kind: 'set-role', agentId: w.agent.entry.agentId, role: 'admin' },
      { kind: 'remove-device', deviceId: w.agent.keys.deviceId },
      { kind: 'add-device', device: (await newMember(w.env, 'New Owner', 'owner')).entry },
    ];
    for (const change of changes)
      expect(() => {
        authoriseChange(list, w.owner.keys.deviceId, change);
      }).not.toThrow();
  });

  it('F11: an admin may add and remove agents, but not touch owners or admins, nor change roles', async () => {
    const w = await identityWorld();
    const list = decodeDeviceListBody(w.v1.body);
    const newAgent = await newMember(w.env, 'Nia New', 'agent');
    const newAdmin = await newMember(w.env, 'Nate New', 'admin');
    const admin = w.admin.keys.deviceId;
    expect(() => {
      authoriseChange(list, admin, { kind: 'add-device', device: newAgent.entry });
    }).not.toThrow();
    expect(() => {
      authoriseChange(list, admin, { kind: 'remove-agent', agentId: w.agent.entry.agentId });
    }).not.toThrow();
    expect(() => {
      authoriseChange(list, admin, { kind: 'remove-device', deviceId: w.agent.keys.deviceId });
    }).not.toThrow();
    expect(() => {
      authoriseChange(list, admin, { kind: 'add-device', device: newAdmin.entry });
    }).toThrow(UnauthorisedDeviceError);
    expect(() => {
      authoriseChange(list, admin, { kind: 'remove-device', deviceId: w.owner.keys.deviceId });
    }).toThrow(UnauthorisedDeviceError);
    expect(() => {
      authoriseChange(list, admin, { kind: 'remove-agent', agentId: w.owner.entry.agentId });
    }).toThrow(UnauthorisedDeviceError);
    expect(() => {
      authoriseChange(list, admin, { kind: 'set-role', agentId: w.agent.entry.agentId, role: 'admin' });
    }).toThrow(UnauthorisedDeviceError);
    expect(() => {
      authoriseChange(list, admin, { kind: 'set-role', agentId: w.admin.entry.agentId, role: 'owner' });
    }).toThrow(UnauthorisedDeviceError);
  });

  it('F11: an agent may add and revoke only their own devices, with their own role', async () => {
    const w = await identityWorld();
    const list = decodeDeviceListBody(w.v1.body);
    const agent = w.agent.keys.deviceId;
    const secondOwn = await newMember(w.env, 'Ada Agent', 'agent', 'pwa', w.agent.entry.agentId);
    const promoted = await newMember(w.env, 'Ada Agent', 'owner', 'pwa', w.agent.entry.agentId);
    expect(() => {
      authoriseChange(list, agent, { kind: 'add-device', device: secondOwn.entry });
    }).not.toThrow();
    expect(() => {
      authoriseChange(list, agent, { kind: 'remove-device', deviceId: agent });
    }).not.toThrow();
    expect(() => {
      authoriseChange(list, agent, { kind: 'add-device', device: promoted.entry });
    }).toThrow(UnauthorisedDeviceError);
    expect(() => {
      authoriseChange(list, agent, { kind: 'remove-device', deviceId: w.admin.keys.deviceId });
    }).toThrow(UnauthorisedDeviceError);
    expect(() => {
      authoriseChange(list, agent, { kind: 'remove-agent', agentId: w.agent.entry.agentId });
    }).toThrow(UnauthorisedDeviceError);
    expect(() => {
      authoriseChange(list, agent, { kind: 'set-role', agentId: w.agent.entry.agentId, role: 'admin' });
    }).toThrow(UnauthorisedDeviceError);
    const other = await newMember(w.env, 'Someone Else', 'agent');
    expect(() => {
      authoriseChange(list, agent, { kind: 'add-device', device: other.entry });
    }).toThrow(UnauthorisedDeviceError);
  });

  it('F11: a device not in the list may ask for nothing', async () => {
    const w = await identityWorld();
    const list = decodeDeviceListBody(w.v1.body);
    const stranger = await newMember(w.env, 'Mallory', 'owner');
    expect(() => {
      authoriseChange(list, stranger.keys.deviceId, { kind: 'remove-device', deviceId: w.owner.keys.deviceId });
    }).toThrow(UnauthorisedDeviceError);
  });

  it('F11: removing an agent removes every one of their devices and reports them for key rotation', async () => {
    const w = await identityWorld();
    const list = decodeDeviceListBody(w.v1.body);
    const second = await newMember(w.env, 'Ada Agent', 'agent', 'pwa', w.agent.entry.agentId);
    const withSecond = applyChange(list, { kind: 'add-device', device: second.entry });
    const v2signed = await createNextDeviceList(w.identity, w.v1, { devices: withSecond.devices }, w.env);
    const v2 = await verifySignedDeviceList(v2signed, w.identity.signing.publicKey);
    const { devices, removed } = applyChange(v2, { kind: 'remove-agent', agentId: w.agent.entry.agentId });
    expect(removed.map((d) => d.deviceId)).toEqual([w.agent.keys.deviceId, second.keys.deviceId]);
    const v3 = await verifySignedDeviceList(
      await createNextDeviceList(w.identity, v2signed, { devices }, w.env),
      w.identity.signing.publicKey,
    );
    expect(findDevice(v3, w.agent.keys.deviceId)).toBeUndefined();
    expect(findDevice(v3, second.keys.deviceId)).toBeUndefined();
    expect(v3.devices).toHaveLength(2);
  });

  it('F11: role change applies to all devices of the agent; the last owner cannot be removed', async () => {
    const w = await identityWorld();
    const list = decodeDeviceListBody(w.v1.body);
    const promoted = applyChange(list, { kind: 'set-role', agentId: w.agent.entry.agentId, role: 'admin' });
    expect(promoted.devices.find((d) => d.agentName === 'Ada Agent')?.role).toBe('admin');
    const noOwner = applyChange(list, { kind: 'remove-agent', agentId: w.owner.entry.agentId });
    await expect(createNextDeviceList(w.identity, w.v1, { devices: noOwner.devices }, w.env)).rejects.toBeInstanceOf(
      DecodeError,
    );
  });

  it('changes that do not apply are ProtocolStateErrors and leave the list unchanged', async () => {
    const w = await identityWorld();
    const list = decodeDeviceListBody(w.v1.body);
    const before = structuredClone(list);
    expect(() => applyChange(list, { kind: 'add-device', device: w.agent.entry })).toThrow(ProtocolStateError);
    expect(() => applyChange(list, { kind: 'remove-device', deviceId: asDeviceId(new Uint8Array(16)) })).toThrow(
      ProtocolStateError,
    );
    expect(() => applyChange(list, { kind: 'remove-agent', agentId: new Uint8Array(16) })).toThrow(ProtocolStateError);
    expect(() => applyChange(list, { kind: 'set-role', agentId: new Uint8Array(16), role: 'owner' })).toThrow(
      ProtocolStateError,
    );
    expect(() => {
      authoriseChange(list, w.admin.keys.deviceId, { kind: 'remove-device', deviceId: asDeviceId(new Uint8Array(16)) });
    }).toThrow(ProtocolStateError);
    expect(list).toEqual(before);
  });
});
