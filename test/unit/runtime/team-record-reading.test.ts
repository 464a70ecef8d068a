/**
 * PROTOCOL §9.7 in the agent runtime: what reading a team record refuses (the retired v1 format, a
 * record that names another epoch than the one it is sealed under), and how this device's own next
 * change is ranked after reading an insider's counter of 2^32 − 1 (issue #15, THREAT-MODEL §7).
 */
import { describe, expect, it } from 'vitest';
import { utf8Encode } from '../../../shared/crypto/index.js';
import { DecodeError, LimitError } from '../../../shared/errors/index.js';
import { createDirectoryViewForKey, encodeCannedReplyChange, teamRecordId } from '../../../shared/protocol/index.js';
import { readTeamRecord } from '../../../shared/runtime/agent-canned-reading.js';
import { EMPTY_TEAM_SHARED, stampSharedDraft } from '../../../shared/runtime/agent-canned-state.js';
import { asDeviceId } from '../../../shared/wire/index.js';

const view = await createDirectoryViewForKey(new Uint8Array(32).fill(9));
const replyId = new Uint8Array(16).fill(7);
const insider = asDeviceId(new Uint8Array(16).fill(0xff));
const honest = new Uint8Array(16).fill(0x01);
const MAX = 0xffff_ffff;

function pinnedRecord(epoch: number): { recordId: Uint8Array; plaintext: Uint8Array } {
  const change = { op: 'put' as const, shortcut: 'pinned', body: 'insider text' };
  return {
    recordId: teamRecordId({ kind: 'cannedReply', itemId: replyId, epoch, counter: MAX }),
    plaintext: encodeCannedReplyChange({ replyId, epoch, counter: MAX, change }),
  };
}

describe('§9.7 team records on reading', () => {
  it('refuses a record of the retired format v1 (no epoch) with a DecodeError naming it', () => {
    const v1 = new Uint8Array(37);
    v1.set(utf8Encode('sealdesk/team/v1'));
    v1[16] = 1;
    v1[36] = 1;
    expect(() => readTeamRecord(view, 3, v1, new Uint8Array(256), insider)).toThrow(/retired format v1/);
    expect(() => readTeamRecord(view, 3, v1, new Uint8Array(256), insider)).toThrow(DecodeError);
  });

  it('refuses a record that names another epoch than the one it is sealed under', () => {
    const { recordId, plaintext } = pinnedRecord(4);
    expect(() => readTeamRecord(view, 5, recordId, plaintext, insider)).toThrow(DecodeError);
    expect(() => readTeamRecord(view, 3, recordId, plaintext, insider)).toThrow(/sealed under epoch 3/);
    expect(() => readTeamRecord(view, 4, recordId, plaintext, insider)).not.toThrow();
  });

  it('#15: after reading an insider’s counter of 2^32 − 1, the next change waits only for the next epoch and then wins', () => {
    const { recordId, plaintext } = pinnedRecord(4);
    const read = readTeamRecord(view, 4, recordId, plaintext, insider)(EMPTY_TEAM_SHARED).state;
    expect(read.canned[0]?.value?.body).toBe('insider text');
    const edit = {
      kind: 'cannedReply' as const,
      replyId,
      change: { op: 'put' as const, shortcut: 'pinned', body: 'honest' },
    };
    expect(() => stampSharedDraft(read, edit, 4, honest)).toThrow(LimitError);
    const next = stampSharedDraft(read, edit, 5, honest);
    expect(next.state.canned[0]?.value?.body).toBe('honest');
    expect(next.state.canned[0]?.rank).toEqual({ epoch: 5, counter: 1, author: honest });
    // The pinned record read again (a repeat, or a late page) changes nothing.
    expect(readTeamRecord(view, 4, recordId, plaintext, insider)(next.state).changed).toBeUndefined();
    expect(stampSharedDraft(next.state, edit, 5, honest).state.canned[0]?.rank.counter).toBe(2);
  });
});
