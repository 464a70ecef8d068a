/**
 * Plaintext of a canned-reply history record (docs/PROTOCOL.md §9.7): one change of one reply,
 * sealed like any history record (§9.2) under the record id `teamRecordId(cannedReply, replyId,
 * epoch, counter)`, which the plaintext repeats and the reader checks (and the epoch against the
 * record's sealing epoch, `checkSealedEpoch`).
 *
 *   cannedChange = u8 version | u8 suite | u8 kind (= 1) | replyId[16] | u32 epoch | u32 counter
 *                | u8 op (1 = put: shortcut utf8 | body utf8; 2 = delete: nothing)
 *                | padding (u32 length | zero bytes: the whole plaintext a multiple of 256 bytes, F17)
 *
 * A shortcut is 1–32 letters, digits, `-` or `_`; a body 1–4,000 characters (code points) without
 * control characters other than line feed and tab and without bidirectional controls.
 */
import {
  type Codec,
  decode,
  encode,
  fixedBytes,
  refine,
  struct,
  taggedUnion,
  u32,
  u8,
  utf8String,
  varBytes,
} from '../../wire/index.js';
import { InvalidContentError, versioned } from '../core/index.js';
import { TEAM_ITEM_ID_BYTES, TEAM_RECORD_KINDS, type TeamRecordSlot } from './team-record-ids.js';
import { checkZeroPadding, padLengthTo, TEAM_PADDING_BLOCK } from './team-padding.js';

export const CANNED_REPLY_LIMITS = {
  maxShortcutChars: 32,
  maxBodyChars: 4_000,
  /** Replies an account holds, tombstones included (§9.7). */
  maxReplies: 2_000,
} as const;

export interface CannedReplyText {
  readonly shortcut: string;
  readonly body: string;
}

export type CannedReplyOp = ({ readonly op: 'put' } & CannedReplyText) | { readonly op: 'delete' };

export interface CannedReplyChange {
  readonly replyId: Uint8Array;
  /** The archive epoch the record is sealed under (§9.1). */
  readonly epoch: number;
  readonly counter: number;
  readonly change: CannedReplyOp;
}

const SHORTCUT = /^[\p{L}\p{N}_-]+$/u;

/** C0/C1 controls except tab and line feed; bidi embeddings, overrides and isolates (U+202A–E, U+2066–9). */
export function isForbiddenInBody(codePoint: number): boolean {
  if (codePoint === 0x09 || codePoint === 0x0a) return false;
  return (
    codePoint <= 0x1f ||
    (codePoint >= 0x7f && codePoint <= 0x9f) ||
    (codePoint >= 0x202a && codePoint <= 0x202e) ||
    (codePoint >= 0x2066 && codePoint <= 0x2069)
  );
}

/** Code points, not UTF-16 units: an emoji counts as the characters it is made of. */
function chars(text: string): number {
  return Array.from(text).length;
}

/** Why a shortcut cannot be used, or undefined when it can. */
export function shortcutProblem(shortcut: string): string | undefined {
  const n = chars(shortcut);
  if (n === 0) return 'a shortcut cannot be empty';
  if (n > CANNED_REPLY_LIMITS.maxShortcutChars)
    return `a shortcut has at most ${CANNED_REPLY_LIMITS.maxShortcutChars} characters`;
  if (!SHORTCUT.test(shortcut)) return 'a shortcut has only letters, digits, "-" and "_"';
  return undefined;
}

/** Why a body cannot be used, or undefined when it can. */
export function bodyProblem(body: string): string | undefined {
  const n = chars(body);
  if (n === 0 || body.trim() === '') return 'a canned reply cannot be empty';
  if (n > CANNED_REPLY_LIMITS.maxBodyChars)
    return `a canned reply has at most ${CANNED_REPLY_LIMITS.maxBodyChars} characters`;
  if (Array.from(body).some((c) => isForbiddenInBody(c.codePointAt(0) ?? 0)))
    return 'a canned reply cannot hold control or text-direction characters';
  return undefined;
}

/** InvalidContentError naming the problem when `text` breaks a rule of §9.7. */
export function checkCannedReplyText(text: CannedReplyText): void {
  const problem = shortcutProblem(text.shortcut) ?? bodyProblem(text.body);
  if (problem !== undefined) throw new InvalidContentError(problem);
}

interface Wire {
  readonly kind: number;
  readonly replyId: Uint8Array;
  readonly epoch: number;
  readonly counter: number;
  readonly change: CannedReplyOp;
  readonly padding: Uint8Array;
}

const opCodec = taggedUnion('op', {
  put: {
    tag: 1,
    codec: struct<CannedReplyText>({
      shortcut: refine(utf8String(4 * CANNED_REPLY_LIMITS.maxShortcutChars), shortcutProblem),
      body: refine(utf8String(4 * CANNED_REPLY_LIMITS.maxBodyChars), bodyProblem),
    }),
  },
  delete: { tag: 2, codec: struct({}) },
}) as Codec<CannedReplyOp>;

const cannedChangeCodec: Codec<Wire> = versioned(
  struct<Wire>({
    kind: refine(u8, (k) => (k === TEAM_RECORD_KINDS.cannedReply ? undefined : 'not a canned-reply change')),
    replyId: fixedBytes(TEAM_ITEM_ID_BYTES),
    epoch: u32,
    counter: refine(u32, (c) => (c === 0 ? 'a change counter starts at 1' : undefined)),
    change: opCodec,
    padding: refine(varBytes(TEAM_PADDING_BLOCK), checkZeroPadding),
  }),
);

export function encodeCannedReplyChange(change: CannedReplyChange): Uint8Array {
  if (change.change.op === 'put') checkCannedReplyText(change.change);
  const wire: Wire = { kind: TEAM_RECORD_KINDS.cannedReply, ...change, padding: new Uint8Array(0) };
  const unpadded = encode(cannedChangeCodec, wire);
  return encode(cannedChangeCodec, { ...wire, padding: new Uint8Array(padLengthTo(unpadded.length)) });
}

/**
 * The change a canned-reply record holds, strictly read (DecodeError, InvalidContentError for a
 * text that breaks §9.7); DecodeError too when it does not belong to the record id it was stored
 * under (`slot`, from parseTeamRecordId), so a change cannot be replayed into another slot.
 */
export function decodeCannedReplyChange(plaintext: Uint8Array, slot: TeamRecordSlot): CannedReplyChange {
  const wire = decode(cannedChangeCodec, plaintext, 'cannedReplyChange');
  if (
    slot.kind !== 'cannedReply' ||
    slot.epoch !== wire.epoch ||
    slot.counter !== wire.counter ||
    !slot.itemId.every((b, i) => wire.replyId[i] === b)
  )
    throw new InvalidContentError('canned reply change does not belong to the record id it was stored under');
  return { replyId: wire.replyId, epoch: wire.epoch, counter: wire.counter, change: wire.change };
}
