/**
 * Team signals (docs/PROTOCOL.md §9.9; issue #15 item 1): "who on the team is viewing or typing in
 * a conversation", an ephemeral blob one device sends to the account's other connected devices
 * through the relay (§16.12), never stored. This file is the byte layout; team-signal.ts seals,
 * signs and opens it.
 *
 *   plaintext = u8 version | u8 suite | conversationId[16] | u8 kind | u64 at | u32 sequence   (31 bytes)
 *     kind 1 viewing, 2 typing, 3 stopped (left the conversation, or stopped typing and viewing)
 *   blob      = u8 version | u8 suite | u32 epoch | keyId[16] | iv[12] | ciphertext[47] | signature[64]  (145 bytes)
 *   aad       = "sealdesk/v2/team-signal/aad" || 0x00 || (u8 version | u8 suite | accountId[16] | u32 epoch | keyId[16] | author[16])
 *   signed    = "sealdesk/v2/team-signal" || 0x00 || (u8 version | u8 suite | accountId[16] | author[16]
 *               | u32 epoch | keyId[16] | iv[12] | ciphertext[47])
 *
 * Every kind has the same plaintext length, so every blob is 145 bytes: the relay cannot tell the
 * kinds apart by size.
 */
import {
  type AccountId,
  type Codec,
  type ConversationId,
  type DeviceId,
  accountIdCodec,
  conversationIdCodec,
  deviceIdCodec,
  fixedBytes,
  refine,
  struct,
  u32,
  u64,
  u8,
} from '../../wire/index.js';
import { versioned } from '../core/index.js';
import { ARCHIVE_KEY_ID_BYTES, ARCHIVE_SIGNATURE_BYTES } from './archive-codec.js';

export const TEAM_SIGNAL_KINDS = { viewing: 1, typing: 2, stopped: 3 } as const;
export type TeamSignalKind = keyof typeof TEAM_SIGNAL_KINDS;

/** §9.9: plaintext and blob sizes (fixed), AES-GCM tag and IV. */
export const TEAM_SIGNAL_SIZES = {
  plaintext: 31,
  iv: 12,
  ciphertext: 31 + 16,
  blob: 2 + 4 + ARCHIVE_KEY_ID_BYTES + 12 + 47 + ARCHIVE_SIGNATURE_BYTES,
} as const;

/** What a signal says, in the author's words (checked for freshness and order by team-signal-order.ts). */
export interface TeamSignal {
  readonly conversationId: ConversationId;
  readonly kind: TeamSignalKind;
  /** The author's clock, ms since the epoch. */
  readonly at: number;
  /** Per author device and run, from 1; with `at` it orders one device's signals (§9.9). */
  readonly sequence: number;
}

interface TeamSignalWire {
  readonly conversationId: ConversationId;
  readonly kind: number;
  readonly at: number;
  readonly sequence: number;
}

export interface TeamSignalBody {
  readonly epoch: number;
  readonly keyId: Uint8Array;
  readonly iv: Uint8Array;
  readonly ciphertext: Uint8Array;
}

export interface TeamSignalBlob {
  readonly body: TeamSignalBody;
  readonly signature: Uint8Array;
}

export interface TeamSignalAad {
  readonly accountId: AccountId;
  readonly epoch: number;
  readonly keyId: Uint8Array;
  readonly author: DeviceId;
}

export interface TeamSignalSigned {
  readonly accountId: AccountId;
  readonly author: DeviceId;
  readonly body: TeamSignalBody;
}

const kindCodec = refine(u8, (v) =>
  Object.values(TEAM_SIGNAL_KINDS).some((k) => k === v) ? undefined : `unknown team signal kind ${v}`,
);

export const teamSignalPlaintextCodec: Codec<TeamSignalWire> = versioned(
  struct<TeamSignalWire>({ conversationId: conversationIdCodec, kind: kindCodec, at: u64, sequence: u32 }),
);

const bodyCodec: Codec<TeamSignalBody> = struct<TeamSignalBody>({
  epoch: u32,
  keyId: fixedBytes(ARCHIVE_KEY_ID_BYTES),
  iv: fixedBytes(TEAM_SIGNAL_SIZES.iv),
  ciphertext: fixedBytes(TEAM_SIGNAL_SIZES.ciphertext),
});

export const teamSignalBlobCodec: Codec<TeamSignalBlob> = versioned(
  struct<TeamSignalBlob>({ body: bodyCodec, signature: fixedBytes(ARCHIVE_SIGNATURE_BYTES) }),
);

export const teamSignalAadCodec: Codec<TeamSignalAad> = versioned(
  struct<TeamSignalAad>({
    accountId: accountIdCodec,
    epoch: u32,
    keyId: fixedBytes(ARCHIVE_KEY_ID_BYTES),
    author: deviceIdCodec,
  }),
);

export const teamSignalSignedCodec: Codec<TeamSignalSigned> = versioned(
  struct<TeamSignalSigned>({ accountId: accountIdCodec, author: deviceIdCodec, body: bodyCodec }),
);

/** The kind's name for a wire byte the codec accepted. */
export function teamSignalKindOf(code: number): TeamSignalKind {
  for (const [name, value] of Object.entries(TEAM_SIGNAL_KINDS) as [TeamSignalKind, number][])
    if (value === code) return name;
  throw new RangeError(`team signal kind ${code} passed the codec`);
}
