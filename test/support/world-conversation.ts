/**
 * One conversation in a ProtocolWorld: a visitor and the agent devices of the business, each a
 * `Party` that keeps its saved state, what it has shown and which alerts it raised. Every packet
 * travels as an envelope through the world's HostileRelay; every rejection is checked to leave
 * the receiver's state unchanged (security brief §4: typed error, no crash, nothing lost).
 */
import { toHex } from '../../shared/crypto/index.js';
import {
  type SecurityAlert,
  rejectionAlert,
  endConversation,
  tick,
  type ReleasedMessage,
  openAgentConversation,
  receiveAsAgent,
  receiveMessage,
  sendMessage,
  startVisitorConversation,
  type AgentStep,
  conversationListOf,
  type ConversationState,
  type ConversationStep,
  decodeDeviceListBody,
  decodeSignedDeviceList,
  type DirectoryView,
  type SignedDeviceList,
  receiveDeviceList,
  applyDeviceList,
  type ProtocolEnv,
  type MessageBody,
  type PrekeyBundle,
} from '../../shared/protocol/index.js';
import { SealdeskError } from '../../shared/errors/index.js';
import {
  asCiphertext,
  decodeEnvelope,
  encodeEnvelope,
  type Recipient,
  type ConversationId,
  idEquals,
} from '../../shared/wire/index.js';
import type { ProtocolWorld, WorldDevice } from './protocol-world.js';
import { snapshot } from './state-snapshot.js';

/** The outcome of feeding one packet to a party. */
export type PacketOutcome =
  | {
      readonly ok: true;
      readonly released: readonly ReleasedMessage[];
      readonly alerts: readonly SecurityAlert[];
      /** The step's list lags (PROTOCOL §7.6): peers on an older list, peers on a newer one. */
      readonly peerListBehind: ConversationStep['peerListBehind'];
      readonly listBehind: ConversationStep['listBehind'];
    }
  | { readonly ok: false; readonly error: SealdeskError; readonly alert: SecurityAlert | undefined };

export class StateMutatedOnError extends Error {
  override readonly name = 'StateMutatedOnError';
}

export interface Party {
  readonly name: string;
  readonly env: ProtocolEnv;
  state: ConversationState | undefined;
  /** Messages released for display, in the order they were shown. */
  readonly shown: ReleasedMessage[];
  /** Every alert raised: by successful steps and for rejected packets. */
  readonly alerts: SecurityAlert[];
  /** Every rejected packet's error. */
  readonly errors: SealdeskError[];
}

export function textOf(message: ReleasedMessage): string {
  return message.body.kind === 'text' ? message.body.text : `<${message.body.kind}>`;
}

export function texts(party: Party): string[] {
  return party.shown.map(textOf);
}

export function alertKinds(party: Party): string[] {
  return party.alerts.map((a) => a.kind);
}

function newParty(name: string, env: ProtocolEnv, state: ConversationState | undefined): Party {
  return { name, env, state, shown: [], alerts: [], errors: [] };
}

export class WorldConversation {
  readonly agents = new Map<string, Party>();

  private constructor(
    readonly world: ProtocolWorld,
    readonly visitor: Party,
    readonly conversationId: ConversationId,
    readonly startAlerts: readonly SecurityAlert[],
    /** The visitor's directory view (saved with its conversation). */
    public visitorView: DirectoryView,
  ) {}

  /**
   * A visitor named `name` fetches the list and bundles from the (hostile) directory, verifies
   * them against the snippet pin, and starts a conversation with every listed device.
   */
  static async start(world: ProtocolWorld, name = 'visitor'): Promise<WorldConversation> {
    const { view } = await world.visitorView(name);
    const list = conversationListOf(view);
    const bundles: PrekeyBundle[] = [];
    for (const d of list.devices) {
      const b = world.relay.fetchPrekeyBundle(d.deviceId, name);
      if (b !== undefined) bundles.push(b);
    }
    const env = world.newEnv(name);
    const started = await startVisitorConversation(list, bundles, env);
    const convo = new WorldConversation(
      world,
      newParty(name, env, started.state),
      started.state.conversationId,
      started.alerts,
      view,
    );
    convo.visitor.alerts.push(...started.alerts);
    for (const d of world.devices.values()) convo.agents.set(d.label, newParty(d.label, d.env, undefined));
    return convo;
  }

  /**
   * The visitor fetches the device list again from the (hostile) directory. A newer list that
   * verifies is applied to the ongoing conversation (revoked devices leave the fan-out, new ones
   * get a session from their bundle); a refused list leaves everything as it was. Returns the
   * alerts raised.
   */
  async visitorRefreshesList(): Promise<readonly SecurityAlert[]> {
    const signed = this.world.relay.fetchDeviceList(this.world.account.accountId, this.visitor.name);
    if (signed === undefined) return [];
    // Link by link (PROTOCOL §4.4): the published versions between the view's and the one served.
    const served = decodeDeviceListBody(signed.body).version;
    const have = this.visitorView.current?.version ?? 0;
    const between = this.world.relay.publishedLists(this.world.account.accountId).filter((l) => {
      const v = decodeDeviceListBody(l.body).version;
      return v > have && v < served;
    });
    return this.visitorTakesLists([...between, signed]);
  }

  /**
   * What the visitor's runtime does with signed lists (fetched, or received in-band in a
   * `deviceList` message): feed them to its directory view and apply a newer list to the conversation.
   */
  private async visitorTakesLists(lists: readonly SignedDeviceList[]): Promise<readonly SecurityAlert[]> {
    const taken = await takeLists(this.visitorView, lists, this.visitor.env);
    this.visitorView = taken.view;
    const alerts: SecurityAlert[] = [...taken.alerts];
    const state = this.requireState(this.visitor);
    if (taken.accepted) {
      const list = conversationListOf(this.visitorView);
      const bundles: PrekeyBundle[] = [];
      for (const d of list.devices) {
        if (state.sessions.some((s) => idEquals(s.peerId, d.deviceId))) continue;
        const b = this.world.relay.fetchPrekeyBundle(d.deviceId, this.visitor.name);
        if (b !== undefined) bundles.push(b);
      }
      const applied = await applyDeviceList(state, list, bundles, this.visitor.env);
      this.visitor.state = applied.state;
      alerts.push(...applied.alerts);
    }
    this.visitor.alerts.push(...alerts);
    return alerts;
  }

  /**
   * A restart point (property tests: many schedules in one world): every party's saved state and
   * every device's prekey state as they are now. States are immutable, so keeping the objects keeps
   * them. The returned function restores the prekeys and gives a conversation whose parties start
   * from these states with nothing shown; the caller resets the relay.
   */
  checkpoint(): () => WorldConversation {
    const visitorState = this.visitor.state;
    const view = this.visitorView;
    const agentStates = [...this.agents.entries()].map(([label, party]) => [label, party.state] as const);
    const prekeys = [...this.world.devices.values()].map((d) => [d, d.prekeys] as const);
    return () => {
      for (const [device, saved] of prekeys) device.prekeys = saved;
      const convo = new WorldConversation(
        this.world,
        newParty(this.visitor.name, this.visitor.env, visitorState),
        this.conversationId,
        this.startAlerts,
        view,
      );
      for (const [label, state] of agentStates)
        convo.agents.set(label, newParty(label, this.world.anyDevice(label).env, state));
      return convo;
    };
  }

  agent(label: string): Party {
    const party = this.agents.get(label);
    if (party === undefined) throw new RangeError(`no agent party ${label}`);
    return party;
  }

  // ---- sending ---------------------------------------------------------------------------------

  async visitorSends(text: string): Promise<ConversationStep> {
    return this.visitorSendsBody({ kind: 'text', text });
  }

  async visitorSendsBody(body: MessageBody): Promise<ConversationStep> {
    const state = this.requireState(this.visitor);
    const step = await sendMessage(state, body, this.visitor.env);
    this.visitor.state = step.state; // saved BEFORE anything is sent
    this.visitor.alerts.push(...step.alerts);
    this.post(step);
    return step;
  }

  async agentSends(label: string, text: string): Promise<ConversationStep> {
    return this.agentSendsBody(label, { kind: 'text', text });
  }

  async agentSendsBody(label: string, body: MessageBody): Promise<ConversationStep> {
    const party = this.agent(label);
    const device = this.world.anyDevice(label);
    const state = this.requireState(party);
    const siblingBundles: PrekeyBundle[] = [];
    for (const d of state.deviceList.devices) {
      if (idEquals(d.deviceId, device.keys.deviceId) || state.sessions.some((s) => idEquals(s.peerId, d.deviceId)))
        continue;
      const b = this.world.relay.fetchPrekeyBundle(d.deviceId, device.label);
      if (b !== undefined) siblingBundles.push(b);
    }
    const step = await sendMessage(state, body, party.env, {
      device: device.keys,
      siblingBundles,
      deviceList: conversationListOf(device.view),
    });
    party.state = step.state;
    party.alerts.push(...step.alerts);
    this.post(step);
    return step;
  }

  private post(step: ConversationStep): void {
    for (const out of step.outgoing) {
      this.world.relay.post(
        encodeEnvelope({ conversationId: this.conversationId, recipient: out.recipient, body: asCiphertext(out.body) }),
      );
    }
  }

  // ---- receiving -------------------------------------------------------------------------------

  /** The visitor takes its mailbox and processes every packet in delivery order. */
  async deliverToVisitor(): Promise<PacketOutcome[]> {
    const out: PacketOutcome[] = [];
    for (const bytes of this.world.relay.take(this.conversationId, { kind: 'visitor' }))
      out.push(await this.visitorReceives(envelopeBody(bytes)));
    return out;
  }

  /** An agent device takes its mailbox and processes every packet in delivery order. */
  async deliverToAgent(label: string): Promise<PacketOutcome[]> {
    const device = this.world.anyDevice(label);
    const recipient: Recipient = { kind: 'device', deviceId: device.keys.deviceId };
    const out: PacketOutcome[] = [];
    for (const bytes of this.world.relay.take(this.conversationId, recipient))
      out.push(await this.agentReceives(label, envelopeBody(bytes)));
    return out;
  }

  /** Delivers every mailbox of the conversation once: agents first (in world order), then the visitor. */
  async deliverAll(): Promise<void> {
    for (const label of this.agents.keys()) if (this.world.devices.has(label)) await this.deliverToAgent(label);
    await this.deliverToVisitor();
  }

  /** Feeds one packet (an envelope body) to the visitor. */
  async visitorReceives(packet: Uint8Array): Promise<PacketOutcome> {
    const state = this.requireState(this.visitor);
    return this.guarded(this.visitor, state, packet, () => receiveMessage(state, packet, this.visitor.env));
  }

  /** Feeds one packet (an envelope body) to an agent device. */
  async agentReceives(label: string, packet: Uint8Array): Promise<PacketOutcome> {
    const party = this.agent(label);
    const device = this.world.anyDevice(label);
    const context = { device: device.keys, prekeys: device.prekeys, deviceList: conversationListOf(device.view) };
    const state = party.state;
    const before = snapshot({ state, prekeys: device.prekeys });
    const run = async (): Promise<AgentStep> =>
      state === undefined
        ? openAgentConversation(packet, context, party.env)
        : receiveAsAgent(state, packet, context, party.env);
    try {
      const step = await run();
      party.state = step.state;
      device.prekeys = step.prekeys; // a consumed one-time prekey is saved with the conversation
      party.shown.push(...step.released);
      party.alerts.push(...step.alerts);
      // The runtime feeds in-band lists to the device's directory view; its next step applies them.
      const taken = await takeLists(device.view, inBandLists(step.released), device.env);
      device.view = taken.view;
      party.alerts.push(...taken.alerts);
      return outcomeOf(step);
    } catch (error) {
      return this.rejected(party, error, packet, before, snapshot({ state, prekeys: device.prekeys }));
    }
  }

  /** The timer: declares overdue gaps and unmet ack claims. */
  tick(party: Party): ConversationStep {
    const step = tick(this.requireState(party), party.env);
    this.apply(party, step);
    return step;
  }

  /** The transport reports the conversation over for `party`. */
  end(party: Party): ConversationStep {
    const step = endConversation(this.requireState(party), party.env);
    this.apply(party, step);
    return step;
  }

  private apply(party: Party, step: ConversationStep): void {
    party.state = step.state;
    party.shown.push(...step.released);
    party.alerts.push(...step.alerts);
  }

  private async guarded(
    party: Party,
    state: ConversationState,
    packet: Uint8Array,
    run: () => Promise<ConversationStep>,
  ): Promise<PacketOutcome> {
    const before = snapshot(state);
    try {
      const step = await run();
      this.apply(party, step);
      if (party === this.visitor) await this.visitorTakesLists(inBandLists(step.released));
      return outcomeOf(step);
    } catch (error) {
      return this.rejected(party, error, packet, before, snapshot(state));
    }
  }

  private rejected(party: Party, error: unknown, packet: Uint8Array, before: string, after: string): PacketOutcome {
    if (!(error instanceof SealdeskError)) throw error; // a crash, not a typed rejection: fail the test
    if (before !== after)
      throw new StateMutatedOnError(`${party.name}: a rejected packet (${error.name}) changed the saved state`);
    const alert = rejectionAlert(error, this.conversationId, packet);
    party.errors.push(error);
    if (alert !== undefined) party.alerts.push(alert);
    return { ok: false, error, alert };
  }

  private requireState(party: Party): ConversationState {
    if (party.state === undefined) throw new RangeError(`${party.name} has no conversation state yet`);
    return party.state;
  }
}

function outcomeOf(step: ConversationStep): PacketOutcome {
  return {
    ok: true,
    released: step.released,
    alerts: step.alerts,
    peerListBehind: step.peerListBehind,
    listBehind: step.listBehind,
  };
}

/** The signed lists of the released in-band `deviceList` messages, in order. */
function inBandLists(released: readonly ReleasedMessage[]): SignedDeviceList[] {
  return released.flatMap((m) =>
    m.body.kind === 'deviceList' ? m.body.lists.map((l) => decodeSignedDeviceList(l)) : [],
  );
}

/** Feeds signed lists to a directory view one by one; whether any was accepted, and the alerts. */
async function takeLists(
  view: DirectoryView,
  lists: readonly SignedDeviceList[],
  env: ProtocolEnv,
): Promise<{ view: DirectoryView; accepted: boolean; alerts: SecurityAlert[] }> {
  let current = view;
  let accepted = false;
  const alerts: SecurityAlert[] = [];
  for (const list of lists) {
    const update = await receiveDeviceList(current, list, env);
    current = update.state;
    alerts.push(...update.alerts);
    if (update.outcome === 'accepted') accepted = true;
  }
  return { view: current, accepted, alerts };
}

/** The body of an encoded envelope (what the relay hands the client). */
export function envelopeBody(bytes: Uint8Array): Uint8Array {
  return decodeEnvelope(bytes).body;
}

/** Hex of a device id (for readable test names and relay keys). */
export function deviceHex(device: WorldDevice): string {
  return toHex(device.keys.deviceId);
}
