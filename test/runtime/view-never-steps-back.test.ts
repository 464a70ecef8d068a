/**
 * PROTOCOL §4.4: a device's view of the account's device lists only moves forward. Two of the
 * runtime's paths fetch lists: the archive sync (nudged by a grant, §16.11) and a conversation
 * frame that names a newer list (§7.6). Each computes its view from the one it read when it began;
 * the one that finishes last must not put back an older list than the other adopted meanwhile, or
 * the device forgets a device added (or brings back one removed) until its next fetch. Here the
 * second device's list fetches are held (the relay's answers untouched): the frame's path is left
 * one version short while the sync adopts a newer list, then let go.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RelayProcess, makeDataDir, startRelayProcess } from '../relay/support/relay-process.js';
import { type HeldSiblingWorld, ownerWithHeldSibling } from './support/held-requests.js';
import { link, waitFor } from './support/runtime-world.js';

const LIST_FETCH = '/device-lists/';

describe('§4.4: the device-list view never steps back', () => {
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

  it('a frame’s older list, taken after the sync adopted a newer one, does not replace it', async () => {
    world = await ownerWithHeldSibling(relay.origin);
    const { owner, second, held, conversationId } = world;

    // Two lists the second device has not fetched: its sync (nudged by the grants) waits at 'latest'.
    held.hold = (path) => path.includes(LIST_FETCH);
    const added = [await link(relay.origin, owner), await link(relay.origin, owner)];
    await waitFor(() => held.waiting >= 1, 'the second device’s sync asking for the latest list');
    const waitingSync = held.waiting;
    // The owner's frame names the newest list: the frame's path asks for 'latest' too, is let go,
    // and waits for the version between (it is two behind).
    const news = await owner.runtime.sendText(conversationId, 'two devices joined');
    await waitFor(() => held.waiting > waitingSync, 'the frame’s fetch of the latest list');
    held.releaseNewest();
    await waitFor(() => held.waiting > waitingSync, 'the frame’s fetch of the version between');
    const letFrameGo = held.setAsideNewest();

    // One more list; the sync, let go request by request, adopts it.
    const last = await link(relay.origin, owner);
    const lastId = (await last.runtime.devices()).find((d) => d.self)?.deviceId ?? '';
    while (!(await second.runtime.devices()).some((d) => d.deviceId === lastId)) {
      await waitFor(() => held.waiting > 0, 'the sync’s next list request');
      held.releaseOldest();
    }

    // Now the frame's path finishes with the list one version short of what the sync adopted.
    letFrameGo();
    held.releaseAll();
    await waitFor(() => second.events.of('message').some((m) => m.id === news), 'the owner’s frame shown');
    const ids = (await second.runtime.devices()).map((d) => d.deviceId);
    expect(ids).toContain(lastId);
    for (const a of added) expect(ids).toContain((await a.runtime.devices()).find((d) => d.self)?.deviceId);
    for (const a of [last, ...added]) a.runtime.dispose();
  }, 180_000);
});
