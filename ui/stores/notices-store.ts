/**
 * Things a person should read that belong to no single conversation: protocol alerts without a
 * conversation and changes to the signed device list (a device added is worth a look).
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { AlertSeverity, ChangeRequestDenial, DeviceView, PlainAlert } from '../../shared/runtime/index.js';
import { useRuntime } from '../app/injection.js';

export interface Notice {
  readonly id: number;
  /** The runtime's id of the alert this notice shows (the same alert is shown once). */
  readonly alertId?: string;
  readonly severity: AlertSeverity;
  readonly title: string;
  readonly text: string;
  /** Where the person can act on it (a route path), if anywhere. */
  readonly action?: { readonly label: string; readonly to: string };
}

const MAX_NOTICES = 20;

function deviceLabel(device: DeviceView): string {
  return `${device.agentName}’s ${device.kind === 'pwa' ? 'phone app' : 'browser extension'}`;
}

export const useNoticesStore = defineStore('notices', () => {
  const runtime = useRuntime();
  const notices = ref<Notice[]>([]);
  let nextId = 1;

  function push(notice: Omit<Notice, 'id'>): void {
    notices.value = [{ ...notice, id: nextId++ }, ...notices.value].slice(0, MAX_NOTICES);
  }

  /** Ids of alerts shown or dismissed on this page: reading the kept alerts again adds none twice. */
  const seenAlerts = new Set<string>();

  function fromAlert(alert: PlainAlert): void {
    if (alert.dismissed === true) return; // dismissed before, on a page of this device
    if (alert.id !== undefined) {
      if (seenAlerts.has(alert.id)) return;
      seenAlerts.add(alert.id);
    }
    push({
      severity: alert.severity,
      title: alert.title,
      text: alert.text,
      ...(alert.id === undefined ? {} : { alertId: alert.id }),
    });
  }

  /** Shows the alerts the runtime kept about no conversation (raised before this page attached). */
  async function loadKeptAlerts(): Promise<void> {
    let kept: readonly PlainAlert[];
    try {
      kept = await runtime.alerts();
    } catch {
      return; // kept notices are a second chance at what events said; a failed read changes nothing
    }
    for (const alert of kept) if (alert.conversationId === undefined) fromAlert(alert);
  }

  function fromDeviceChange(change: {
    readonly added: readonly DeviceView[];
    readonly removed: readonly DeviceView[];
  }): void {
    for (const device of change.added) {
      if (device.self) continue;
      push({
        severity: 'warning',
        title: 'A device was added to your team',
        text: `${deviceLabel(device)} can now read and answer conversations. If nobody on your team added it, revoke it.`,
        action: { label: 'Review devices', to: '/team' },
      });
    }
    for (const device of change.removed) {
      push({
        severity: 'info',
        title: 'A device was removed',
        text: `${deviceLabel(device)} no longer receives messages.`,
      });
    }
  }

  /** This device's change request, denied by an owner (PROTOCOL §4.5). */
  function fromDenial(denial: ChangeRequestDenial): void {
    push({
      severity: 'warning',
      title: 'An owner declined your request',
      text: `${denial.summary}: an owner said no, so nothing was changed.`,
      action: { label: 'Review devices', to: '/team' },
    });
  }

  /** Hides the notice; an alert's dismissal is kept by the runtime, so it stays hidden after a reload. */
  function dismiss(id: number): void {
    const alertId = notices.value.find((notice) => notice.id === id)?.alertId;
    notices.value = notices.value.filter((notice) => notice.id !== id);
    // A failed save (the runtime stopping) only means the alert shows again after a reload.
    if (alertId !== undefined) runtime.dismissAlert(alertId).catch(() => undefined);
  }

  return { notices, push, fromAlert, loadKeptAlerts, fromDeviceChange, fromDenial, dismiss };
});
