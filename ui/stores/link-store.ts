/**
 * Device linking as a person walks through it, on either side (PROTOCOL §10): the existing device
 * shows its invitation (QR code or text) and waits; the new device reads it; both show the same
 * six digits and the person confirms on each. A mismatch or a cancel aborts with nothing released.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { type AgentInvite, CHANGE_REQUEST_DENIED, type LinkPhase } from '../../shared/runtime/index.js';
import { useRuntime } from '../app/injection.js';
import { usePlatform } from '../app/injection.js';
import type { LinkInvitation } from '../validation/link-invitation.js';
import { SealdeskError } from '../../shared/errors/index.js';

export const LINK_SIDES = { new: 'new', existing: 'existing' } as const;
export type LinkSide = (typeof LINK_SIDES)[keyof typeof LINK_SIDES];

export type LinkView =
  | { readonly phase: 'idle' }
  | { readonly phase: 'show-code'; readonly qr: Uint8Array; readonly code: string }
  | LinkPhase;

export const useLinkStore = defineStore('link', () => {
  const runtime = useRuntime();
  const platform = usePlatform();
  const side = ref<LinkSide | undefined>();
  const view = ref<LinkView>({ phase: 'idle' });
  /** Set once the person answered "same code?" on this device, so the buttons are not offered twice. */
  const answered = ref(false);

  /** With `invite`, the device to link is a new agent's first (PROTOCOL §4.5); else one of this agent's. */
  async function startAsExistingDevice(invite?: AgentInvite): Promise<void> {
    side.value = 'existing';
    answered.value = false;
    const { qr, code } = await runtime.startLinkAsExistingDevice(invite);
    // The runtime says 'waiting-for-peer' as it starts (the code is then what the peer needs); only a
    // new device's hello that already moved it on (compare codes) keeps the code from showing.
    const phase = view.value.phase;
    if (phase === 'idle' || phase === 'aborted' || phase === 'waiting-for-peer')
      view.value = { phase: 'show-code', qr, code };
  }

  async function startAsNewDevice(invitation: LinkInvitation): Promise<void> {
    side.value = 'new';
    answered.value = false;
    view.value = { phase: 'waiting-for-peer' };
    await runtime.linkAsNewDevice({
      relayUrl: invitation.relayUrl,
      scanned: invitation.code,
      deviceKind: platform.deviceKind,
    });
  }

  async function confirm(sameCode: boolean): Promise<void> {
    answered.value = true;
    try {
      await runtime.confirmLink(sameCode);
    } catch (error) {
      // PROTOCOL §4.5: an owner denied the change request; the screen says so (the 'declined' phase).
      if (!(error instanceof SealdeskError) || error.code !== CHANGE_REQUEST_DENIED) throw error;
      view.value = { phase: 'declined' };
    }
  }

  async function cancel(): Promise<void> {
    const phase = view.value.phase;
    if (phase !== 'idle' && phase !== 'linked' && phase !== 'aborted' && phase !== 'declined') {
      await runtime.cancelLink();
    }
    reset();
  }

  function reset(): void {
    side.value = undefined;
    answered.value = false;
    view.value = { phase: 'idle' };
  }

  function onPhase(phase: LinkPhase): void {
    if (side.value === undefined) return; // no linking started on this page
    // While the existing device shows its code, waiting for the peer is what that screen says already.
    if (phase.phase === 'waiting-for-peer' && view.value.phase === 'show-code') return;
    view.value = phase;
  }

  return { side, view, answered, startAsExistingDevice, startAsNewDevice, confirm, cancel, reset, onPhase };
});
