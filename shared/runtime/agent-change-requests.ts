/**
 * Device list change requests in the runtime (PROTOCOL §4.5, §10.5 step 6; issue #13 item 2).
 *
 * Requester (a device without the account key): signs a request over the newest list it verified
 * and sends it to every owner device (agent-change-request-channel.ts), saved in the outbox first.
 * Owner device: a delivered request is checked at once against the signed list it holds
 * (`checkChangeRequest`: listed requester, signature, current base, the roles' rights, proof of
 * possession); a refused one raises an alert and is dropped, an accepted one is kept as pending
 * (saved with the delivery's cursor) and shown (`changeRequest` event). Approving signs the next
 * list (`applyChangeRequest`, a person's approval given), enrols an added device at the relay with
 * its role and removes a removed one there; denying signs a denial (agent-change-decisions.ts) sent
 * back in the request's channel to the requester. Every decided request's
 * id is kept (the last 256), so the relay replaying one is refused with the `replay` alert; an
 * approved one is refused anyway once the list moved past its base.
 *
 * Requester: the requests it sent are kept (the last 64) until answered. A denial, checked
 * (`checkChangeRequestDecision`) against the newest list, answers one: its wait ends with
 * ChangeRequestDeniedError and `changeRequestDenied` is told. A refused one raises an alert and
 * changes nothing: the request keeps waiting. Other owner devices are not told of a denial.
 */
import { constantTimeEqual } from '../crypto/index.js';
import { SealdeskError } from '../errors/index.js';
import {
  ALERT_KINDS,
  type AlertKind,
  type AnsweredRequest,
  type ChangeRequestRefusal,
  ChangeRequestRefusedError,
  type DeviceEntry,
  type DeviceListChangeRequest,
  type DirectoryView,
  type RequestedChange,
  SUSPECTS,
  type SecurityAlert,
  applyChangeRequest,
  authoriseChange,
  checkChangeRequest,
  checkChangeRequestDecision,
  createChangeRequestDenial,
  createListChangeRequest,
  decodeChangeRequestDecision,
  decodeListChangeRequest,
  encodeChangeRequestDecision,
  encodeListChangeRequest,
  findDevice,
} from '../protocol/index.js';
import type { SettingValue } from '../storage/index.js';
import type { SaveDelivery } from '../transport/index.js';
import {
  type ConversationId,
  asConversationId,
  type DeviceId,
  decode,
  encode,
  fixedBytes,
  idEquals,
  idToHex,
  list,
  varBytes,
} from '../wire/index.js';
import type { ChangeRequestDenial, ChangeRequestView, DeviceView } from './api-agent.js';
import type { HexId } from './api-common.js';
import { changeInEffect, changeWords, decisionAlert, peekDecision, peekRequest } from './agent-change-decisions.js';
import { changeRequestChannel, changeRequestEnvelopes } from './agent-change-request-channel.js';
import { type Enrolled, deviceAuth, publishOwnList } from './agent-device-session.js';
import { forgetAtRelay } from './agent-team.js';
import { deviceViewOf } from './device-lists.js';
import { movesForward, refreshDirectory, savedView } from './directory-sync.js';
import { ChangeRequestDeniedError, NotStartedError } from './runtime-errors.js';
import type { RuntimeShapes, RuntimeStore } from './runtime-shapes.js';

const PENDING = 'change-requests.pending';
const DECIDED = 'change-requests.decided';
/** Requester: the requests this device sent and no owner answered yet. */
const SENT = 'change-requests.sent';
const MAX_PENDING = 64;
const MAX_DECIDED = 256;
const APPROVAL_WAIT_MS = 10 * 60_000;
const APPROVAL_POLL_MS = 500;
const pendingCodec = list(varBytes(1024), MAX_PENDING);
const decidedCodec = list(fixedBytes(16), MAX_DECIDED);

export interface ChangeRequestHooks {
  readonly request: (view: ChangeRequestView) => void;
  readonly denied: (denial: ChangeRequestDenial) => void;
  readonly alert: (alert: SecurityAlert) => void;
}

/** What the list change did, for the `devices` event. */
export interface DecidedChange {
  readonly added: readonly DeviceEntry[];
  readonly removed: readonly DeviceEntry[];
}

/** Which alert a refused request raises, and whom it names (PROTOCOL §7.8 suspects). */
function refusalAlert(reason: ChangeRequestRefusal, request: DeviceListChangeRequest | undefined): SecurityAlert {
  const byRelay: Partial<Record<ChangeRequestRefusal, AlertKind>> = {
    malformed: ALERT_KINDS.forged,
    'not-listed': ALERT_KINDS.forged,
    'bad-signature': ALERT_KINDS.badSignature,
  };
  const kind = byRelay[reason];
  if (kind !== undefined || request === undefined)
    return {
      kind: kind ?? ALERT_KINDS.forged,
      suspects: [SUSPECTS.relay],
      detail: `change request refused: ${reason}`,
    };
  // Signed by a listed device: it asked for what its role may not, or the list moved on.
  return {
    kind: reason === 'stale-base' ? ALERT_KINDS.replay : ALERT_KINDS.invalidContent,
    suspects: reason === 'stale-base' ? [SUSPECTS.relay] : [SUSPECTS.participant(request.requesterId)],
    detail: `change request refused: ${reason}`,
    deviceId: request.requesterId,
  };
}

export class ChangeRequests {
  readonly #store: RuntimeStore;
  readonly #hooks: ChangeRequestHooks;
  /** Hex ids of the channels a decision may arrive in (sent, pending, decided); read once, kept in step. */
  #channels: Promise<Set<HexId>> | undefined;
  /** Requester: the waits of `awaitListed`, ended at once by a denial. */
  readonly #waits = new Map<HexId, () => void>();
  readonly #denied = new Set<HexId>();

  constructor(store: RuntimeStore, hooks: ChangeRequestHooks) {
    this.#store = store;
    this.#hooks = hooks;
  }

  // ---- requester ---------------------------------------------------------------------------------

  /**
   * Signs `change` over the newest list and sends it to the owner devices (saved before sent).
   * UnauthorisedDeviceError at once when this device's role may not ask for it (§4.5).
   */
  async send(e: Enrolled, change: RequestedChange): Promise<HexId> {
    const taken = await refreshDirectory(e.p.http, e.account.accountId, e.view, e.p.env);
    if (taken.rejected !== undefined) throw taken.rejected;
    await this.#adopt(e, taken.view);
    const current = e.view.current;
    const latest = e.view.history.at(-1);
    const connection = e.connection;
    if (current === undefined || latest === undefined) throw new NotStartedError('no verified device list');
    if (connection === undefined) throw new NotStartedError('the runtime is disposed');
    authoriseChange(current, e.keys.deviceId, change);
    const signed = encodeListChangeRequest(await createListChangeRequest(e.keys, latest.signed, change, e.p.env));
    const channel = await changeRequestChannel(signed);
    await e.p.http.conversations.open(e.account.accountId, channel);
    const owners = current.devices.filter((d) => d.role === 'owner').map((d) => d.deviceId);
    const sent = [...(await this.#sent()), signed].slice(-MAX_PENDING);
    await connection.commit({
      settings: [{ name: SENT, value: encode(pendingCodec, sent) }],
      outbox: changeRequestEnvelopes(channel, signed, owners),
    });
    this.#channels = undefined;
    return idToHex(channel);
  }

  /**
   * Requester: waits (polling the directory) until the owner's next list names `deviceId`; throws
   * ChangeRequestDeniedError as soon as an owner's denial of request `id` is accepted, and
   * NotStartedError after 10 minutes, the link mailbox's lifetime.
   */
  async awaitListed(e: Enrolled, id: HexId, deviceId: DeviceId): Promise<void> {
    const deadline = e.p.timers.now() + APPROVAL_WAIT_MS;
    try {
      for (;;) {
        if (this.#denied.has(id)) throw new ChangeRequestDeniedError('an owner declined the request');
        const taken = await refreshDirectory(e.p.http, e.account.accountId, e.view, e.p.env);
        await this.#adopt(e, taken.view);
        if (e.view.current !== undefined && findDevice(e.view.current, deviceId) !== undefined) return;
        if (e.p.timers.now() > deadline) throw new NotStartedError('the owner did not approve the new device in time');
        await new Promise<void>((resolve) => {
          this.#waits.set(id, resolve);
          e.p.timers.after(APPROVAL_POLL_MS, resolve);
        });
      }
    } finally {
      this.#waits.delete(id);
    }
  }

  /** A refreshed view, saved and held, unless another path adopted a newer one meanwhile (§4.4). */
  async #adopt(e: Enrolled, view: DirectoryView): Promise<void> {
    if (!movesForward(view, e.view)) return;
    await this.#store.commit({ directories: [savedView(e.account.accountId, view)] });
    if (movesForward(view, e.view)) e.view = view;
  }

  // ---- owner -------------------------------------------------------------------------------------

  /** A delivered request envelope: checked, then kept as pending with the cursor, or refused with an alert. */
  async receive(e: Enrolled, body: Uint8Array, save: SaveDelivery<RuntimeShapes>): Promise<void> {
    const latest = e.view.history.at(-1);
    if (e.account.identity === undefined || latest === undefined) {
      await save(); // only devices holding the account key decide (§3.1)
      return;
    }
    const id = await changeRequestChannel(body);
    const pending = await this.#pending();
    if (pending.some((p) => constantTimeEqual(p, body))) {
      await save(); // at-least-once delivery: the same envelope again
      return;
    }
    if ((await this.#decided()).some((d) => constantTimeEqual(d, id))) {
      await save();
      this.#hooks.alert({ kind: ALERT_KINDS.replay, suspects: [SUSPECTS.relay], detail: 'a decided change request' });
      return;
    }
    let request: DeviceListChangeRequest;
    try {
      request = await checkChangeRequest(latest.signed, decodeListChangeRequest(body));
    } catch (error) {
      if (!(error instanceof SealdeskError)) throw error;
      await save();
      const reason = error instanceof ChangeRequestRefusedError ? error.reason : 'malformed';
      this.#hooks.alert(refusalAlert(reason, peekRequest(body)));
      return;
    }
    if (pending.length >= MAX_PENDING) {
      await save();
      return;
    }
    await save({ settings: [{ name: PENDING, value: encode(pendingCodec, [...pending, body]) }] });
    const view = viewOf(e, idToHex(id), request);
    if (view !== undefined) this.#hooks.request(view);
  }

  /** The pending requests whose requester is still listed. */
  async pending(e: Enrolled): Promise<readonly ChangeRequestView[]> {
    const out: ChangeRequestView[] = [];
    for (const body of await this.#pending()) {
      const request = peekRequest(body);
      const view = request === undefined ? undefined : viewOf(e, idToHex(await changeRequestChannel(body)), request);
      if (view !== undefined) out.push(view);
    }
    return out;
  }

  /**
   * Approve: the next list signed (a person approved), saved, the added device enrolled at the
   * relay with its role, the list published, removed devices deleted at the relay. Deny: a signed
   * denial to the requester, in the outbox of the commit that records it.
   * Either way the request is recorded as decided first (a crash loses the request, never signs twice).
   */
  async decide(e: Enrolled, id: HexId, approve: boolean): Promise<DecidedChange> {
    const identity = e.account.identity;
    if (identity === undefined) throw new NotStartedError('only a device holding the account key decides requests');
    const pending = await this.#pending();
    const ids = await Promise.all(pending.map(async (b) => idToHex(await changeRequestChannel(b))));
    const index = ids.indexOf(id);
    const body = pending[index];
    if (body === undefined) throw new NotStartedError('no such pending change request');
    const channel = await changeRequestChannel(body);
    const decided = [...(await this.#decided()), channel].slice(-MAX_DECIDED);
    const settings = [
      {
        name: PENDING,
        value: encode(
          pendingCodec,
          pending.filter((_, i) => i !== index),
        ),
      },
      { name: DECIDED, value: encode(decidedCodec, decided) },
    ];
    if (!approve) {
      await this.#deny(e, channel, body, settings);
      return { added: [], removed: [] };
    }
    await this.#store.commit({ settings });
    this.#channels = undefined;
    const latest = e.view.history.at(-1);
    if (latest === undefined) throw new NotStartedError('no verified device list');
    const signed = decodeListChangeRequest(body);
    const request = await checkChangeRequest(latest.signed, signed);
    const next = await applyChangeRequest(identity, latest.signed, signed, { approvedByHuman: true }, e.p.env);
    const added = request.change.kind === 'add-device' ? [request.change.device] : [];
    await publishOwnList(this.#store, e, next.signed, async () => {
      const auth = await deviceAuth(e);
      for (const d of added)
        await e.p.http.directory.enrolDevice(e.account.accountId, d.deviceId, d.signingKey, auth, undefined, d.role);
    });
    await forgetAtRelay(e, next.removed);
    return { added, removed: next.removed };
  }

  /** §4.5: the denial signed over the newest list, sent to the requester (while it is listed). */
  async #deny(
    e: Enrolled,
    channel: ConversationId,
    body: Uint8Array,
    settings: readonly { readonly name: string; readonly value: Uint8Array }[],
  ): Promise<void> {
    const current = e.view.current;
    const request = peekRequest(body);
    const connection = e.connection;
    if (current === undefined || request === undefined) throw new NotStartedError('no verified device list');
    if (connection === undefined) throw new NotStartedError('the runtime is disposed');
    const denial = encodeChangeRequestDecision(
      await createChangeRequestDenial(
        e.keys,
        e.account.accountId,
        { requestId: channel, requesterId: request.requesterId },
        current.version,
      ),
    );
    const to = current.devices.filter((d) => idEquals(d.deviceId, request.requesterId)).map((d) => d.deviceId);
    await connection.commit({ settings, outbox: changeRequestEnvelopes(channel, denial, to) });
    this.#channels = undefined;
  }

  // ---- decisions (requester) ---------------------------------------------------------------------

  /** True when `channel` is a request this device sent or saw answered: a decision may come in it. */
  async carriesDecision(channel: HexId): Promise<boolean> {
    this.#channels ??= this.#knownChannels();
    return (await this.#channels).has(channel);
  }

  async #knownChannels(): Promise<Set<HexId>> {
    const ids = await Promise.all((await this.#sent()).map(async (b) => idToHex(await changeRequestChannel(b))));
    return new Set([...ids, ...(await this.#decided()).map((d) => idToHex(asConversationId(d)))]);
  }

  /**
   * A decision delivered in a request's channel: checked against the newest list (fetched first when
   * it names a newer one) and the request it must answer; accepted, the request is answered (the
   * wait ends, `denied` is told). One for an answered request changes nothing when genuine (a second
   * owner's answer); anything refused raises its alert and the request keeps waiting.
   */
  async receiveDecision(
    e: Enrolled,
    channel: ConversationId,
    bytes: Uint8Array,
    save: SaveDelivery<RuntimeShapes>,
  ): Promise<void> {
    const id = idToHex(channel);
    const decided = await this.#decided();
    const sent = await this.#sent();
    const body = await findByChannel(sent, channel);
    const request = body === undefined ? undefined : peekRequest(body);
    const peeked = peekDecision(bytes);
    if (peeked !== undefined && e.view.current !== undefined && peeked.listVersion > e.view.current.version) {
      const taken = await refreshDirectory(e.p.http, e.account.accountId, e.view, e.p.env);
      await this.#adopt(e, taken.view);
    }
    const latest = e.view.history.at(-1);
    if (latest === undefined) {
      await save();
      return;
    }
    const answered: AnsweredRequest = {
      requestId: channel,
      requesterId: request?.requesterId ?? peeked?.requesterId ?? e.keys.deviceId,
      baseVersion: request?.baseVersion ?? 0,
    };
    try {
      await checkChangeRequestDecision(latest.signed, decodeChangeRequestDecision(bytes), answered);
    } catch (error) {
      if (!(error instanceof SealdeskError)) throw error;
      await save();
      this.#hooks.alert(decisionAlert(error, peeked));
      return;
    }
    if (body === undefined || request === undefined || decided.some((d) => constantTimeEqual(d, channel))) {
      await save();
      return;
    }
    await save({
      settings: [
        {
          name: SENT,
          value: encode(
            pendingCodec,
            sent.filter((b) => b !== body),
          ),
        },
        { name: DECIDED, value: encode(decidedCodec, [...decided, channel].slice(-MAX_DECIDED)) },
      ],
    });
    this.#channels = undefined;
    // Another owner approved it first: the list shows the change, the late denial answers nothing.
    if (changeInEffect(request, e.view.current)) return;
    this.#hooks.denied({ id, summary: `You asked to ${changeWords(request, e.view.current?.devices ?? [])}` });
    this.#denied.add(id);
    this.#waits.get(id)?.();
  }

  async #pending(): Promise<readonly Uint8Array[]> {
    return decodeSetting(await this.#store.setting(PENDING), pendingCodec);
  }

  async #decided(): Promise<readonly Uint8Array[]> {
    return decodeSetting(await this.#store.setting(DECIDED), decidedCodec);
  }

  async #sent(): Promise<readonly Uint8Array[]> {
    return decodeSetting(await this.#store.setting(SENT), pendingCodec);
  }
}

async function findByChannel(bodies: readonly Uint8Array[], channel: ConversationId): Promise<Uint8Array | undefined> {
  for (const body of bodies) if (idEquals(await changeRequestChannel(body), channel)) return body;
  return undefined;
}

function decodeSetting(value: SettingValue | undefined, codec: typeof pendingCodec): readonly Uint8Array[] {
  if (value === undefined) return [];
  if (!(value instanceof Uint8Array)) throw new NotStartedError('the stored change requests are not bytes');
  return decode(codec, value, 'changeRequests');
}

function viewOf(e: Enrolled, id: HexId, request: DeviceListChangeRequest): ChangeRequestView | undefined {
  const current = e.view.current;
  const requester = current === undefined ? undefined : findDevice(current, request.requesterId);
  if (current === undefined || requester === undefined) return undefined;
  const view: DeviceView = deviceViewOf(requester, e.keys.deviceId);
  return { id, requester: view, summary: `${requester.agentName} asks to ${changeWords(request, current.devices)}` };
}
