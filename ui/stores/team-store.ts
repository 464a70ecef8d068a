/** The signed device list as people: agents with their devices, roles, and change requests to decide. */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { AgentRole, ChangeRequestView, DeviceView, HexId } from '../../shared/runtime/index.js';
import { useRuntime } from '../app/injection.js';
import { describeError, type PersonMessage } from '../errors/describe-error.js';

export interface AgentGroup {
  readonly agentId: HexId;
  readonly agentName: string;
  readonly role: AgentRole;
  readonly devices: readonly DeviceView[];
  readonly isMe: boolean;
}

const ROLE_ORDER: Readonly<Record<AgentRole, number>> = { owner: 0, admin: 1, agent: 2 };

export const useTeamStore = defineStore('team', () => {
  const runtime = useRuntime();
  const devices = ref<DeviceView[]>([]);
  const requests = ref<ChangeRequestView[]>([]);
  const loaded = ref(false);
  const loadError = ref<PersonMessage | undefined>();

  const self = computed(() => devices.value.find((device) => device.self));
  const myRole = computed<AgentRole>(() => self.value?.role ?? 'agent');
  const canManage = computed(() => myRole.value !== 'agent');
  /** PROTOCOL §4.5: only owners change roles; an owner removes any other agent but an owner, an admin asks to remove an agent. */
  const canChangeRoles = computed(() => myRole.value === 'owner');
  function canRemove(group: AgentGroup): boolean {
    if (group.isMe || group.role === 'owner') return false;
    return myRole.value === 'owner' || (myRole.value === 'admin' && group.role === 'agent');
  }
  const agents = computed<AgentGroup[]>(() => {
    const byAgent = new Map<HexId, DeviceView[]>();
    for (const device of devices.value) byAgent.set(device.agentId, [...(byAgent.get(device.agentId) ?? []), device]);
    return [...byAgent.entries()]
      .map(([agentId, list]): AgentGroup => {
        const first = list[0];
        return {
          agentId,
          agentName: first?.agentName ?? '',
          role: first?.role ?? 'agent',
          devices: list,
          isMe: list.some((device) => device.self),
        };
      })
      .sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role] || a.agentName.localeCompare(b.agentName));
  });

  function nameOf(deviceId: HexId): string {
    const device = devices.value.find((candidate) => candidate.deviceId === deviceId);
    if (device === undefined) return 'a removed device';
    return `${device.agentName} (${device.kind === 'pwa' ? 'phone app' : 'extension'})`;
  }

  async function load(): Promise<void> {
    try {
      const [list, pending] = await Promise.all([runtime.devices(), runtime.pendingChangeRequests()]);
      devices.value = [...list];
      requests.value = [...pending];
      loadError.value = undefined;
    } catch (error) {
      loadError.value = describeError(error);
    } finally {
      loaded.value = true;
    }
  }

  async function revoke(deviceId: HexId, andSponsored: boolean): Promise<void> {
    await runtime.revokeDevice(deviceId, { andSponsored });
    await load();
  }

  async function setRole(agentId: HexId, role: AgentRole): Promise<void> {
    await runtime.setRole(agentId, role);
    await load();
  }

  async function removeAgent(agentId: HexId): Promise<void> {
    await runtime.removeAgent(agentId);
    await load();
  }

  async function decide(id: string, approve: boolean): Promise<void> {
    await runtime.decideChangeRequest(id, approve);
    requests.value = requests.value.filter((request) => request.id !== id);
    await load();
  }

  function onChangeRequest(request: ChangeRequestView): void {
    requests.value = [...requests.value.filter((existing) => existing.id !== request.id), request];
  }

  return {
    devices,
    requests,
    loaded,
    loadError,
    self,
    myRole,
    canManage,
    canChangeRoles,
    canRemove,
    agents,
    nameOf,
    load,
    revoke,
    setRole,
    removeAgent,
    decide,
    onChangeRequest,
  };
});
