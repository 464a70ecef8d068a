/**
 * Canned replies and agent presence on an agent device (docs/PROTOCOL.md §9.7, issue #15 items
 * 1–2): each change is a history record in the team namespace, sealed under the current archive
 * epoch key, so only the business's listed devices (including ones linked later) read it and the
 * relay stores ciphertext. Nothing here is sent to a visitor: an agent inserts a reply's body into
 * the composer and sends it as an ordinary message.
 */
import { toHex } from '../crypto/index.js';
import {
  InvalidContentError,
  PRESENCE_STATUSES,
  type PresenceStatus,
  checkCannedReplyText,
} from '../protocol/index.js';
import { idBytesFromHex, idEquals } from '../wire/index.js';
import type { AgentArchive } from './agent-archive.js';
import type { TeamSharedState } from './agent-canned-state.js';
import type { Enrolled } from './agent-device-session.js';
import type { AgentPresence, CannedReply, CannedReplyInput } from './api-agent.js';
import type { HexId } from './api-common.js';
import { CannedReplyNotFoundError } from './runtime-errors.js';

/** The live (not deleted) replies, by shortcut. */
export function cannedRepliesOf(state: TeamSharedState): CannedReply[] {
  const out: CannedReply[] = [];
  for (const entry of state.canned) {
    if (entry.value === undefined) continue;
    out.push({
      id: entry.itemId,
      shortcut: entry.value.shortcut,
      body: entry.value.body,
      updatedBy: toHex(entry.rank.author),
    });
  }
  return out.sort((a, b) => a.shortcut.localeCompare(b.shortcut) || a.id.localeCompare(b.id));
}

export function presenceOf(state: TeamSharedState): AgentPresence[] {
  return state.presence.flatMap((p) => (p.value === undefined ? [] : [{ agentId: p.itemId, status: p.value }]));
}

function isLive(state: TeamSharedState, id: HexId): boolean {
  return state.canned.some((c) => c.itemId === id && c.value !== undefined);
}

/** Creates (no `id`) or replaces a reply; InvalidContentError for a shortcut or body §9.7 refuses. */
export async function saveCannedReply(
  archive: AgentArchive,
  e: Enrolled,
  input: CannedReplyInput,
): Promise<CannedReply> {
  // The bridge hands over what a page sent: check the shapes before any use.
  const given: unknown = input;
  if (typeof given !== 'object' || given === null) throw new InvalidContentError('a canned reply is expected');
  if (typeof input.shortcut !== 'string' || typeof input.body !== 'string')
    throw new InvalidContentError('a canned reply needs a shortcut and a text');
  const text = { shortcut: input.shortcut.trim(), body: input.body };
  checkCannedReplyText(text);
  const replyId = input.id === undefined ? e.p.env.rng(16) : idBytesFromHex(input.id);
  const id = toHex(replyId);
  await archive.writeShared(e, (state) => {
    if (input.id !== undefined && !isLive(state, id))
      throw new CannedReplyNotFoundError('this canned reply was deleted');
    return { kind: 'cannedReply', replyId, change: { op: 'put', ...text } };
  });
  return { id, ...text, updatedBy: toHex(e.keys.deviceId) };
}

/** Deletes a reply (a tombstone, §9.7); CannedReplyNotFoundError when it is not held or deleted already. */
export async function deleteCannedReply(archive: AgentArchive, e: Enrolled, id: HexId): Promise<void> {
  const replyId = idBytesFromHex(id);
  await archive.writeShared(e, (state) => {
    if (!isLive(state, id)) throw new CannedReplyNotFoundError('no such canned reply');
    return { kind: 'cannedReply', replyId, change: { op: 'delete' } };
  });
}

/** Sets this device's agent's status (§9.7): read by every device of the account at its next sync. */
export async function setPresence(archive: AgentArchive, e: Enrolled, status: PresenceStatus): Promise<void> {
  if (!Object.hasOwn(PRESENCE_STATUSES, status)) throw new InvalidContentError('a status is online or away');
  const self = e.view.current?.devices.find((d) => idEquals(d.deviceId, e.keys.deviceId));
  if (self === undefined) throw new CannedReplyNotFoundError('this device is not in the verified device list');
  await archive.writeShared(e, () => ({ kind: 'presence', agentId: self.agentId, status }));
}
