/**
 * PROTOCOL §4.4, §7.6, §9.6: one new device, one `devices` event (the app's "A device was added to
 * your team" notice), however many of the runtime's paths adopt the list that adds it. Found in a
 * browser journey where the owner's second device showed the notice twice: that device (no account
 * key) learns of a new list both from an archive sync (nudged by the owner's new-epoch grant) and
 * from the owner's next conversation frame, which names the newer list. Each path compared the view
 * with the one it had read when it began, so a frame taken while the sync adopted the list told the
 * same change again. Here the two overlap in that order on purpose: the second device's list
 * fetches are held (the relay's answers untouched) until both paths wait, then let go one by one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentEvents } from '../../shared/runtime/index.js';
import { type RelayProcess, makeDataDir, startRelayProcess } from '../relay/support/relay-process.js';
import { type HeldSiblingWorld, ownerWithHeldSibling } from './support/held-requests.js';
import { link, waitFor, waitForCurrentArchiveKey } from './support/runtime-world.js';

const LIST_FETCH = '/device-lists/';

function additionsOf(changes: readonly AgentEvents['devices'][], deviceId: string): number {
  return changes.filter((change) => change.added.some((d) => d.deviceId === deviceId)).length;
}

describe('§4.4: a device added to the team is announced once per list version', () => {
  const data = makeDataDir();
  let relay: RelayProcess;
  let world: HeldSiblingWorld | undefined;

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir, { SEALDESK_MESSAGES_PER_SECOND: '5000' });
  }, 60_000);

  afterAll(async () => {
    for (const a of [world?.owner, world?.second, world?.visitor]) a?.runtime.dispose();
    await relay.stop('SIGKILL');
    data.remove();
  });

  it('an archive sync and a conversation frame adopt the same list: the owner’s second device tells it once', async () => {
    world = await ownerWithHeldSibling(relay.origin);
    const { owner, second, held, conversationId } = world;

    held.hold = (path) => path.includes(LIST_FETCH);
    const third = await link(relay.origin, owner);
    const thirdId = (await third.runtime.devices()).find((d) => d.self)?.deviceId ?? '';
    // The owner's new epoch is granted to the second device with a nudge (§16.11): its sync fetches the list.
    await waitFor(() => held.waiting >= 1, 'the second device’s archive sync asking for the newer list');
    // The owner's next frame names that list (§7.6): the second device fetches it too.
    const news = await owner.runtime.sendText(conversationId, 'a third device joined');
    await waitFor(() => held.waiting >= 2, 'the frame’s fetch of the newer list');

    held.releaseOldest();
    await waitFor(() => additionsOf(second.events.of('devices'), thirdId) >= 1, 'the addition told by the sync');
    held.releaseAll();
    await waitFor(
      () => second.events.of('message').some((m) => m.id === news),
      'the owner’s frame at the second device',
    );
    // A later sync of the second device finds nothing newer and tells nothing.
    await second.runtime.conversations();
    await waitForCurrentArchiveKey([second]);

    expect(additionsOf(second.events.of('devices'), thirdId)).toBe(1);
    expect(additionsOf(owner.events.of('devices'), thirdId)).toBe(1);
    expect((await second.runtime.devices()).map((d) => d.deviceId)).toContain(thirdId);
    expect(second.events.of('alert').filter((a) => a.severity === 'danger')).toEqual([]);
    third.runtime.dispose();
  }, 120_000);
});
