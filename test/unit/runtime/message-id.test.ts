/**
 * A read receipt names a conversation message by its sender device and sequence number (PROTOCOL §8).
 * The UI hands the runtime a message id; only `<32 hex>:<seq>` names such a message. A team note's id
 * (`note:<author>:<epoch>:<counter>`) once reached the id decoder and showed "That did not work — id
 * must be 32 lower-case hex digits" in the agent app: it is a UsageError saying what can be read.
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../shared/errors/index.js';
import { messageIdOf, parseMessageId } from '../../../shared/runtime/conversation-record.js';
import { noteMessageId } from '../../../shared/runtime/agent-team-events-record.js';
import { asDeviceId, idToHex } from '../../../shared/wire/index.js';

const SENDER = asDeviceId(Uint8Array.from({ length: 16 }, (_, i) => i * 17));

describe('parseMessageId', () => {
  it('gives back the sender and sequence number of a conversation message id', () => {
    for (const seq of [0, 1, 41, Number.MAX_SAFE_INTEGER]) {
      const parsed = parseMessageId(messageIdOf(SENDER, seq));
      expect(idToHex(parsed.sender)).toBe(idToHex(SENDER));
      expect(parsed.seq).toBe(seq);
    }
  });

  it('refuses a note id and every malformed id with a UsageError', () => {
    const hex = idToHex(SENDER);
    for (const id of [
      noteMessageId(SENDER, 3, 7),
      '',
      hex,
      `${hex}:`,
      `${hex}:-1`,
      `${hex}:01`,
      `${hex}:1.5`,
      `${hex}:9007199254740993`,
      `${hex.toUpperCase()}:1`,
      `${hex.slice(2)}:1`,
      `${hex}:1:2`,
    ])
      expect(() => parseMessageId(id), id).toThrow(UsageError);
  });
});
