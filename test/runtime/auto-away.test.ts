/**
 * Issue #15 item 1: automatic away when idle. The page's idle detection (ui/app/activity-idle.ts,
 * the PWA's) on an injected clock and a document of its own, the page's wiring
 * (ui/app/auto-away.ts) and a real agent runtime on a memory store against a real relay
 * (shared/runtime/agent-auto-away.ts): idle for the set minutes → away; use → online again; an
 * away set by hand stays away; a presence record is written only when the status changes; and an
 * automatic away outlives a restart of the runtime (its mark is in the device's store).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentRuntime, PresenceStatus } from '../../shared/runtime/index.js';
import type { Timers } from '../../shared/transport/index.js';
import { watchActivity } from '../../ui/app/activity-idle.js';
import { startAutoAway } from '../../ui/app/auto-away.js';
import { type RelayProcess, makeDataDir, startRelayProcess } from '../relay/support/relay-process.js';
import { type AgentHandle, agentRuntime, newAccount, waitFor } from './support/runtime-world.js';

const MINUTE = 60_000;

/** A clock that moves only when told, running the callbacks that fall due on the way. */
class ManualTimers implements Timers {
  #now = 0;
  #due: { at: number; run: () => void; live: boolean }[] = [];

  now(): number {
    return this.#now;
  }

  after(ms: number, run: () => void): () => void {
    const entry = { at: this.#now + ms, run, live: true };
    this.#due.push(entry);
    return () => {
      entry.live = false;
    };
  }

  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      const next = this.#due.filter((d) => d.live && d.at <= target).sort((a, b) => a.at - b.at)[0];
      if (next === undefined) break;
      next.live = false;
      this.#now = next.at;
      next.run();
    }
    this.#now = target;
  }
}

/** The page: its events and visibility. */
class Page extends EventTarget {
  visibilityState = 'visible';

  use(type = 'pointerdown'): void {
    this.dispatchEvent(new Event(type));
  }
}

/** The page's wiring on `runtime`, every idle report kept so the test can wait for its outcome. */
function autoAway(runtime: AgentRuntime, page: Page, timers: Timers, awayAfterMinutes = 10) {
  const reports: Promise<void>[] = [];
  const stop = startAutoAway({
    runtime: {
      setIdle: (idle) => {
        const done = runtime.setIdle(idle);
        reports.push(done);
        return done;
      },
    },
    idle: { watch: (minutes, listener) => watchActivity(page, timers, minutes, listener) },
    prefs: () => Promise.resolve({ awayAfterMinutes, sound: false }),
    onPrefsChange: () => () => undefined,
  });
  return { reports, stop, settled: () => Promise.all(reports) };
}

async function ownStatus(agent: AgentHandle): Promise<PresenceStatus | undefined> {
  const self = (await agent.runtime.devices()).find((d) => d.self);
  return (await agent.runtime.presence()).find((p) => p.agentId === self?.agentId)?.status;
}

describe('#15.1: automatic away when the device is idle', () => {
  const data = makeDataDir();
  let relay: RelayProcess;

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir, { SEALDESK_MESSAGES_PER_SECOND: '5000' });
  }, 60_000);

  afterAll(async () => {
    await relay.stop('SIGKILL');
    data.remove();
  });

  it('#15.1: idle → away, use → online, each change written once; a hand-set away stays', async () => {
    const agent = agentRuntime();
    await newAccount(relay.origin, agent);
    const timers = new ManualTimers();
    const page = new Page();
    const away = autoAway(agent.runtime, page, timers);
    await waitFor(() => away.reports.length === 1, 'the page reports use when it opens');
    await away.settled();
    expect(await ownStatus(agent)).toBeUndefined(); // use with no automatic away writes nothing

    // Use within the ten minutes keeps the agent as it is.
    timers.advance(9 * MINUTE);
    page.use('pointermove');
    timers.advance(9 * MINUTE);
    page.use('keydown');
    timers.advance(9 * MINUTE);
    expect(away.reports.length).toBe(1);

    // Ten minutes without use: away, one record.
    timers.advance(MINUTE);
    await away.settled();
    expect(away.reports.length).toBe(2);
    expect(await ownStatus(agent)).toBe('away');
    expect(agent.events.of('presence').length).toBe(1);
    timers.advance(60 * MINUTE); // still idle: no report, no record
    expect(away.reports.length).toBe(2);

    // Back: online, one more record; the page becoming visible counts as use too.
    page.visibilityState = 'hidden';
    page.dispatchEvent(new Event('visibilitychange'));
    expect(away.reports.length).toBe(2);
    page.visibilityState = 'visible';
    page.dispatchEvent(new Event('visibilitychange'));
    await away.settled();
    expect(await ownStatus(agent)).toBe('online');
    expect(agent.events.of('presence').length).toBe(2);

    // Away set by hand: idle writes nothing more, and use does not bring the agent back online.
    await agent.runtime.setPresence('away');
    expect(agent.events.of('presence').length).toBe(3);
    timers.advance(10 * MINUTE);
    page.use();
    await away.settled();
    expect(away.reports.length).toBe(5); // idle, then use: both reported, neither written
    expect(await ownStatus(agent)).toBe('away');
    expect(agent.events.of('presence').length).toBe(3);
    away.stop();
    agent.runtime.dispose();
  }, 60_000);

  it('#15.1: an automatic away ends when a page opens after the runtime restarted', async () => {
    const agent = agentRuntime();
    await newAccount(relay.origin, agent);
    await agent.runtime.setPresence('online');
    const timers = new ManualTimers();
    const first = autoAway(agent.runtime, new Page(), timers, 5);
    await waitFor(() => first.reports.length === 1, 'the first report');
    timers.advance(5 * MINUTE);
    await first.settled();
    expect(await ownStatus(agent)).toBe('away');
    first.stop();
    agent.runtime.dispose();

    // The background or worker stopped while the person was away; a page opens later.
    const restarted = agentRuntime(agent.db);
    const second = autoAway(restarted.runtime, new Page(), timers, 5);
    await waitFor(() => second.reports.length === 1, 'the report of the page that opened');
    await second.settled();
    expect(await ownStatus(restarted)).toBe('online');
    expect(restarted.events.of('presence').length).toBe(1);
    second.stop();
    restarted.runtime.dispose();
  }, 60_000);
});
