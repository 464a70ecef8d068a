/**
 * Who on the team is viewing or typing in a conversation (docs/PROTOCOL.md §9.9, §16.12; issue #15
 * item 1): this device's own state, sent as ephemeral team signals while it holds, and the states
 * of the account's other devices, from the signals they send. Nothing is stored; a reader forgets
 * a state TEAM_SIGNAL_TIMING.expireAfterMs after its last refresh.
 *
 * Own agent's other devices are not shown (decision, §9.9): the point is that two people do not
 * answer the same visitor; the agent's own phone viewing the conversation is no collision.
 */
import { toHex } from '../crypto/index.js';
import { SealdeskError } from '../errors/index.js';
import {
  type ArchiveKeyring,
  ProtocolStateError,
  type TeamSignal,
  type TeamSignalKind,
  TEAM_SIGNAL_TIMING,
  TeamSignalOrder,
  openTeamSignal,
  sealTeamSignal,
} from '../protocol/index.js';
import { type DeviceId, asConversationId, idBytesFromHex, idEquals, idToHex } from '../wire/index.js';
import type { ConversationActivity, TeamMemberActivity } from './api-agent.js';
import { ALERT_SEVERITIES, type HexId, type PlainAlert } from './api-common.js';
import type { Enrolled } from './agent-device-session.js';

/** Why a received signal was not used (counted; §9.9). */
export type TeamSignalRefusal = 'invalid' | 'not-current' | 'stale' | 'replay' | 'own';

export interface TeamActivityHooks {
  /** The archive keyring as this device holds it (undefined before the first grant). */
  readonly keyring: () => Promise<ArchiveKeyring | undefined>;
  readonly changed: (activity: readonly ConversationActivity[]) => void;
  readonly alert: (alert: PlainAlert) => void;
}

interface Seen {
  readonly conversationId: HexId;
  readonly activity: 'viewing' | 'typing';
  readonly cancel: () => void;
}

/** §9.9: a signal that does not verify is reported once per run (info), never once per signal. */
const REFUSED_ALERT: PlainAlert = {
  kind: 'team-signal-refused',
  severity: ALERT_SEVERITIES.info,
  title: 'A team activity signal was ignored',
  text: 'A “viewing” or “typing” signal that did not come from a current team device was not shown. This can be a network fault or someone tampering with the service.',
};

export class TeamActivity {
  readonly #hooks: TeamActivityHooks;
  readonly #order = new TeamSignalOrder();
  readonly #seen = new Map<string, Seen>();
  /** Signals refused since start, by reason (diagnostics and tests). */
  readonly refused: Record<TeamSignalRefusal, number> = { invalid: 0, 'not-current': 0, stale: 0, replay: 0, own: 0 };
  #alerted = false;
  #receiving: Promise<void> = Promise.resolve();
  #sending: Promise<void> = Promise.resolve();
  // This device's state and its signal order (§9.9: `(at, sequence)` strictly growing in a run).
  #viewing: HexId | undefined;
  #composing: HexId | undefined;
  #typingSentAt = Number.NEGATIVE_INFINITY;
  #lastAt = 0;
  #sequence = 0;
  #cancelRefresh: (() => void) | undefined;
  #cancelIdle: (() => void) | undefined;

  constructor(hooks: TeamActivityHooks) {
    this.#hooks = hooks;
  }

  // ---- this device ------------------------------------------------------------------------------

  /** The conversation open on this device's screen, or null when none is. */
  setViewing(e: Enrolled, conversationId: HexId | null): Promise<void> {
    const before = this.#viewing;
    const next = conversationId ?? undefined;
    const sends: Promise<void>[] = [];
    if (before !== undefined && before !== next) {
      if (this.#composing === before) this.#stopComposing();
      sends.push(this.#signal(e, before, 'stopped'));
    }
    this.#viewing = next;
    if (next !== undefined) sends.push(this.#signal(e, next, this.#composing === next ? 'typing' : 'viewing'));
    this.#schedule(e);
    return Promise.all(sends).then(() => undefined);
  }

  /** Called by the composer on each keystroke (`true`) and when the draft is sent or cleared (`false`). */
  setComposing(e: Enrolled, conversationId: HexId, active: boolean): Promise<void> {
    const now = e.p.timers.now();
    if (active) {
      const fresh = this.#composing !== conversationId;
      const before = this.#composing;
      this.#composing = conversationId;
      this.#cancelIdle?.();
      this.#cancelIdle = e.p.timers.after(TEAM_SIGNAL_TIMING.typingIdleMs, () => {
        void this.setComposing(e, conversationId, false);
      });
      const sends: Promise<void>[] = [];
      if (fresh && before !== undefined && before !== this.#viewing) sends.push(this.#signal(e, before, 'stopped'));
      if (fresh || now - this.#typingSentAt >= TEAM_SIGNAL_TIMING.typingThrottleMs) {
        this.#typingSentAt = now;
        sends.push(this.#signal(e, conversationId, 'typing'));
      }
      this.#schedule(e);
      return Promise.all(sends).then(() => undefined);
    }
    if (this.#composing !== conversationId) return Promise.resolve();
    this.#stopComposing();
    this.#schedule(e);
    return this.#signal(e, conversationId, this.#viewing === conversationId ? 'viewing' : 'stopped');
  }

  /** The connection is (again) ready: the others learn this device's state at once. */
  resend(e: Enrolled): void {
    const state = this.#state();
    if (state !== undefined) void this.#signal(e, state.conversationId, state.kind);
  }

  /** Stops timers; says `stopped` if a state held (best effort, the connection may be gone). */
  stop(e: Enrolled | undefined): void {
    const state = this.#state();
    this.#cancelRefresh?.();
    this.#cancelIdle?.();
    this.#viewing = undefined;
    this.#composing = undefined;
    if (e !== undefined && state !== undefined) void this.#signal(e, state.conversationId, 'stopped');
    for (const seen of this.#seen.values()) seen.cancel();
    this.#seen.clear();
  }

  #stopComposing(): void {
    this.#composing = undefined;
    this.#typingSentAt = Number.NEGATIVE_INFINITY;
    this.#cancelIdle?.();
    this.#cancelIdle = undefined;
  }

  #state(): { readonly conversationId: HexId; readonly kind: TeamSignalKind } | undefined {
    if (this.#composing !== undefined) return { conversationId: this.#composing, kind: 'typing' };
    if (this.#viewing !== undefined) return { conversationId: this.#viewing, kind: 'viewing' };
    return undefined;
  }

  /** §9.9: a state that holds is refreshed every refreshEveryMs, so readers do not expire it. */
  #schedule(e: Enrolled): void {
    this.#cancelRefresh?.();
    this.#cancelRefresh = undefined;
    if (this.#state() === undefined) return;
    this.#cancelRefresh = e.p.timers.after(TEAM_SIGNAL_TIMING.refreshEveryMs, () => {
      this.resend(e);
      this.#schedule(e);
    });
  }

  /** Seals and sends one signal, in order after the previous one; dropped when it cannot go now. */
  #signal(e: Enrolled, conversationId: HexId, kind: TeamSignalKind): Promise<void> {
    const run = async (): Promise<void> => {
      const keyring = await this.#hooks.keyring();
      const connection = e.connection;
      if (keyring === undefined || connection === undefined) return;
      const at = Math.max(e.p.timers.now(), this.#lastAt);
      const signal: TeamSignal = {
        conversationId: asConversationId(idBytesFromHex(conversationId)),
        kind,
        at,
        sequence: this.#sequence + 1,
      };
      let blob: Uint8Array;
      try {
        blob = await sealTeamSignal(keyring, e.p.env, e.keys, signal);
      } catch (error) {
        // No current archive key yet, or this device is not in the keyring's list: nothing to send.
        if (error instanceof SealdeskError) return;
        throw error;
      }
      this.#lastAt = at;
      this.#sequence += 1;
      connection.sendTeamSignal(blob);
    };
    const done = this.#sending.then(run);
    this.#sending = done.catch(() => undefined);
    return done;
  }

  // ---- the others -------------------------------------------------------------------------------

  /** A signal the relay forwarded as `author`'s; checked (§9.9), then shown or counted. */
  receive(e: Enrolled, author: DeviceId, blob: Uint8Array): Promise<void> {
    const done = this.#receiving.then(() => this.#receive(e, author, blob));
    this.#receiving = done.catch(() => undefined);
    return done;
  }

  async #receive(e: Enrolled, author: DeviceId, blob: Uint8Array): Promise<void> {
    if (idEquals(author, e.keys.deviceId)) {
      this.refused.own += 1;
      return;
    }
    const keyring = await this.#hooks.keyring();
    if (keyring === undefined) {
      this.refused['not-current'] += 1;
      return;
    }
    let signal: TeamSignal;
    try {
      signal = await openTeamSignal(keyring, e.view.current?.devices ?? [], author, blob);
    } catch (error) {
      if (!(error instanceof SealdeskError)) throw error;
      if (error instanceof ProtocolStateError) {
        // An epoch this device does not hold (yet) or no longer uses: not an attack by itself.
        this.refused['not-current'] += 1;
        return;
      }
      this.refused.invalid += 1;
      if (!this.#alerted) {
        this.#alerted = true;
        this.#hooks.alert(REFUSED_ALERT);
      }
      return;
    }
    const authorHex = idToHex(author);
    const verdict = this.#order.admit(authorHex, signal, e.p.timers.now());
    if (verdict !== 'accepted') {
      this.refused[verdict] += 1;
      return;
    }
    this.#apply(e, authorHex, idToHex(signal.conversationId), signal.kind);
  }

  #apply(e: Enrolled, author: string, conversationId: HexId, kind: TeamSignalKind): void {
    const before = this.#seen.get(author);
    before?.cancel();
    if (kind === 'stopped') {
      if (before === undefined) return;
      this.#seen.delete(author);
      // A `stopped` for another conversation than the one shown leaves that one to expire.
      if (before.conversationId !== conversationId) this.#keep(e, author, before.conversationId, before.activity);
    } else {
      this.#keep(e, author, conversationId, kind);
    }
    this.#hooks.changed(this.activity(e));
  }

  #keep(e: Enrolled, author: string, conversationId: HexId, activity: 'viewing' | 'typing'): void {
    const cancel = e.p.timers.after(TEAM_SIGNAL_TIMING.expireAfterMs, () => {
      if (this.#seen.get(author)?.cancel !== cancel) return;
      this.#seen.delete(author);
      this.#hooks.changed(this.activity(e));
    });
    this.#seen.set(author, { conversationId, activity, cancel });
  }

  /**
   * Per conversation, the other agents seen in it (typing before viewing), by the current verified
   * list: a device no longer listed, and this device's own agent, are left out.
   */
  activity(e: Enrolled): readonly ConversationActivity[] {
    const devices = e.view.current?.devices ?? [];
    const selfAgent = devices.find((d) => idEquals(d.deviceId, e.keys.deviceId))?.agentId;
    const ownAgent = selfAgent === undefined ? undefined : toHex(selfAgent);
    const byConversation = new Map<HexId, Map<HexId, TeamMemberActivity>>();
    for (const [author, seen] of this.#seen) {
      const entry = devices.find((d) => idToHex(d.deviceId) === author);
      const agentId = entry === undefined ? undefined : toHex(entry.agentId);
      if (entry === undefined || agentId === undefined || agentId === ownAgent) continue;
      const agents = byConversation.get(seen.conversationId) ?? new Map<HexId, TeamMemberActivity>();
      byConversation.set(seen.conversationId, agents);
      if (agents.get(agentId)?.activity === 'typing') continue;
      agents.set(agentId, { agentId, agentName: entry.agentName, activity: seen.activity });
    }
    return [...byConversation]
      .map(([conversationId, agents]) => ({
        conversationId,
        agents: [...agents.values()].sort((a, b) => a.agentName.localeCompare(b.agentName)),
      }))
      .sort((a, b) => (a.conversationId < b.conversationId ? -1 : 1));
  }
}
