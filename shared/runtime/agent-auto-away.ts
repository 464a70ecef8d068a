/**
 * Automatic away (issue #15 item 1): the app reports when this device went idle and when it is in
 * use again (`setIdle`); the agent's presence (PROTOCOL §9.7) follows, but only an away this
 * device set automatically is undone by activity: an away set by hand stays away.
 *
 * The rule for an agent with several devices: each device writes its agent's presence on its own
 * idle changes (a presence record carries no device, and a device cannot know whether the others are
 * in use). The last change wins, as for a status set by hand.
 *
 * "This away was automatic" is a device setting (AUTO_AWAY_SETTING), so it survives the extension's
 * background or the PWA's worker being stopped while the person is away. A presence record is
 * written only when the status changes. The order of the writes leaves no hand-set status to be
 * undone after a crash: the mark is set before the away is written and cleared after the online.
 */
import { toHex } from '../crypto/index.js';
import { InvalidContentError, PRESENCE_STATUSES } from '../protocol/index.js';
import { idEquals } from '../wire/index.js';
import type { AgentArchive } from './agent-archive.js';
import { presenceOf, setPresence } from './agent-canned-replies.js';
import type { Enrolled } from './agent-device-session.js';
import type { PresenceStatus } from './api-agent.js';
import type { RuntimeStore } from './runtime-shapes.js';

/** Set (true) while this device's agent is away because this device went idle. */
export const AUTO_AWAY_SETTING = 'auto-away';

/** The queue every presence write of this device runs on, so an idle report and a hand-set status do not interleave. */
export const PRESENCE_QUEUE = 'presence';

async function ownStatus(archive: AgentArchive, e: Enrolled): Promise<PresenceStatus | undefined> {
  const self = e.view.current?.devices.find((d) => idEquals(d.deviceId, e.keys.deviceId));
  if (self === undefined) return undefined;
  const agentId = toHex(self.agentId);
  return presenceOf(await archive.shared()).find((p) => p.agentId === agentId)?.status;
}

async function markAuto(store: RuntimeStore, on: boolean): Promise<void> {
  await store.commit({ settings: [{ name: AUTO_AWAY_SETTING, value: on ? true : undefined }] });
}

/**
 * The device went idle (`idle`) or is in use again. Idle: an agent not away already (online, or no
 * status yet) goes away, marked automatic. In use: an automatic away goes back online; an away set
 * by hand (no mark) stays. Call on PRESENCE_QUEUE.
 */
export async function applyIdle(archive: AgentArchive, e: Enrolled, store: RuntimeStore, idle: boolean): Promise<void> {
  const status = await ownStatus(archive, e);
  if (idle) {
    if (status === 'away') return; // set by hand, or automatic already: nothing to write
    await markAuto(store, true);
    await setPresence(archive, e, 'away');
    return;
  }
  if ((await store.setting(AUTO_AWAY_SETTING)) !== true) return;
  if (status === 'away') await setPresence(archive, e, 'online');
  await markAuto(store, false);
}

/** A status set by hand: no longer automatic (the mark is cleared first), then written. Call on PRESENCE_QUEUE. */
export async function setPresenceByHand(
  archive: AgentArchive,
  e: Enrolled,
  store: RuntimeStore,
  status: PresenceStatus,
): Promise<void> {
  if (!Object.hasOwn(PRESENCE_STATUSES, status)) throw new InvalidContentError('a status is online or away');
  if ((await store.setting(AUTO_AWAY_SETTING)) !== undefined) await markAuto(store, false);
  await setPresence(archive, e, status);
}
