/**
 * The project's own protocol vectors (docs/ARCHITECTURE.md, tests §2): regenerating them with the
 * seeded rng and fixed clock must give test/vectors/protocol-v2.json byte for byte. A difference
 * means the wire format or a derivation changed: regenerate deliberately and bump the version.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../shared/crypto/index.js';
import { decode } from '../../shared/wire/index.js';
import { conversationPacketCodec } from '../../shared/protocol/index.js';
import { protocolVectorsJson } from '../../scripts/protocol-vectors.js';

const stored = readFileSync(fileURLToPath(new URL('./protocol-v2.json', import.meta.url)), 'utf8');

describe('protocol vectors v1', () => {
  it('F21: regenerating the vectors gives the stored file byte for byte', async () => {
    expect(await protocolVectorsJson()).toBe(stored);
  });

  it('the stored packets decode strictly: two first contacts, then two signed replies (F3)', () => {
    const vectors = JSON.parse(stored) as { messages: { packet: string }[] };
    const kinds = vectors.messages.map((m) => decode(conversationPacketCodec, fromHex(m.packet)).session.kind);
    expect(kinds).toEqual(['initial', 'initial', 'signedReply', 'signedReply']);
  });
});
