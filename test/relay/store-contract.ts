/**
 * The Store contract (relay/store/store.ts), written once and run against every implementation
 * (store.test.ts): in-memory and SQLite today, PostgreSQL later.
 */
import { describe, expect, it } from 'vitest';
import { commitSeqs } from './support/commit-seqs.js';
import type { Store } from '../../relay/store/store.js';
import { deviceQueue, visitorQueue } from '../../relay/store/store.js';
import { blockListContract } from './block-list-contract.js';

const hex = (n: number): string => n.toString(16).padStart(32, '0');
const bytes = (...b: number[]): Uint8Array => new Uint8Array(b);
const A = hex(1);
const B = hex(2);
const D1 = hex(11);
const D2 = hex(12);
const C1 = hex(21);
const C2 = hex(22);

export function storeContract(name: string, open: () => Promise<{ store: Store; cleanup: () => Promise<void> }>): void {
  const withStore = async (run: (s: Store) => Promise<void>): Promise<void> => {
    const { store, cleanup } = await open();
    try {
      await run(store);
    } finally {
      await store.close();
      await cleanup();
    }
  };

  describe(`Store contract: ${name}`, () => {
    it('creates accounts with unique usernames and finds them', () =>
      withStore(async (s) => {
        expect(await s.createAccount({ accountId: A, username: 'u', opaqueRecord: 'rec' }, 1)).toBe(true);
        expect(await s.createAccount({ accountId: B, username: 'u', opaqueRecord: 'other' }, 1)).toBe(false);
        expect(await s.findAccountByUsername('u')).toEqual({ accountId: A, username: 'u', opaqueRecord: 'rec' });
        expect(await s.findAccountByUsername('v')).toBeUndefined();
        expect(await s.accountExists(A)).toBe(true);
        expect(await s.accountExists(B)).toBe(false);
      }));

    it('finds sessions by token hash until they expire', () =>
      withStore(async (s) => {
        await s.createSession(bytes(1, 2, 3), { accountId: A, deviceId: null, expiresAt: 100 });
        await s.createSession(bytes(4), { accountId: A, deviceId: D1, expiresAt: 100 });
        expect(await s.findSession(bytes(1, 2, 3), 99)).toEqual({ accountId: A, deviceId: null, expiresAt: 100 });
        expect((await s.findSession(bytes(4), 0))?.deviceId).toBe(D1);
        expect(await s.findSession(bytes(1, 2, 3), 100)).toBeUndefined();
        expect(await s.findSession(bytes(9), 0)).toBeUndefined();
        expect((await s.purge(0, 100)).sessions).toBe(2);
      }));

    it('enrols devices up to a cap, replaces keys, and removes a device with its data', () =>
      withStore(async (s) => {
        expect(await s.putDevice(A, D1, bytes(1), 2)).toEqual({ ok: true, count: 1 });
        expect(await s.putDevice(A, D2, bytes(2), 2)).toEqual({ ok: true, count: 2 });
        expect(await s.putDevice(A, hex(13), bytes(3), 2)).toEqual({ ok: false, count: 2 });
        expect(await s.putDevice(A, D1, bytes(9), 2)).toEqual({ ok: true, count: 2 });
        expect(await s.getDeviceKey(A, D1)).toEqual(bytes(9));
        expect(await s.getDeviceKey(B, D1)).toBeUndefined();
        await s.putBundle(A, D1, bytes(5), 1);
        await s.addOneTimePrekeys(A, D1, [bytes(6)], 10);
        await commitSeqs(s, [{ queue: deviceQueue(A, D1), conversationId: C1, envelope: bytes(7) }], [], 1);
        expect(await s.deleteDevice(A, D1)).toBe(true);
        expect(await s.deleteDevice(A, D1)).toBe(false);
        expect(await s.getBundles(A)).toEqual([]);
        expect(await s.claimOneTimePrekey(A, D1)).toBeUndefined();
        expect(await s.fetchQueue(deviceQueue(A, D1), 0, 10)).toEqual([]);
      }));

    it('#10.1-3: keeps each device role, and revokes a device session when its key changes or it is removed', () =>
      withStore(async (s) => {
        expect(await s.putDevice(A, D1, bytes(1), 5, 'agent')).toEqual({ ok: true, count: 1 });
        await s.putDevice(A, D2, bytes(2), 5);
        expect(await s.getDeviceRole(A, D1)).toBe('agent');
        expect(await s.getDeviceRole(A, D2)).toBe('owner');
        expect(await s.getDeviceRole(B, D1)).toBeUndefined();
        await s.createSession(bytes(1), { accountId: A, deviceId: D1, expiresAt: 100 });
        await s.createSession(bytes(2), { accountId: A, deviceId: D2, expiresAt: 100 });
        await s.createSession(bytes(3), { accountId: A, deviceId: null, expiresAt: 100 });
        // The same key again (a role change) keeps the session; a new key ends it.
        await s.putDevice(A, D1, bytes(1), 5, 'admin');
        expect(await s.getDeviceRole(A, D1)).toBe('admin');
        expect((await s.findSession(bytes(1), 0))?.deviceId).toBe(D1);
        await s.putDevice(A, D1, bytes(9), 5, 'admin');
        expect(await s.findSession(bytes(1), 0)).toBeUndefined();
        expect((await s.findSession(bytes(2), 0))?.deviceId).toBe(D2);
        expect(await s.deleteDevice(A, D2)).toBe(true);
        expect(await s.findSession(bytes(2), 0)).toBeUndefined();
        expect(await s.getDeviceRole(A, D2)).toBeUndefined();
        expect((await s.findSession(bytes(3), 0))?.accountId).toBe(A);
        // Enrolled again, the device starts from the role it is given, not the removed one's.
        await s.putDevice(A, D2, bytes(2), 5, 'agent');
        expect(await s.getDeviceRole(A, D2)).toBe('agent');
        // One session ends by itself.
        await s.deleteSession(bytes(3));
        expect(await s.findSession(bytes(3), 0)).toBeUndefined();
      }));

    it('#10.5: counts the messages each queue holds', () =>
      withStore(async (s) => {
        const q1 = deviceQueue(A, D1);
        const q2 = visitorQueue(C1);
        const seqs = await commitSeqs(
          s,
          [1, 2, 3].map((n) => ({ queue: q1, conversationId: C1, envelope: bytes(n) })),
          [],
          1,
        );
        await commitSeqs(s, [{ queue: q2, conversationId: C1, envelope: bytes(4) }], [], 1);
        expect(await s.queueDepths([q1, q2, visitorQueue(C2)])).toEqual(
          new Map([
            [q1, 3],
            [q2, 1],
            [visitorQueue(C2), 0],
          ]),
        );
        await commitSeqs(s, [], [{ queue: q1, upTo: seqs[1] ?? 0 }], 2);
        expect((await s.queueDepths([q1])).get(q1)).toBe(1);
      }));

    it('serves a queue used again after its device or conversation was removed with only its new messages', () =>
      withStore(async (s) => {
        await s.putDevice(A, D1, bytes(1), 5);
        await s.createConversation({ conversationId: C1, accountId: A, capabilityHash: bytes(1) }, 1);
        await commitSeqs(
          s,
          [
            { queue: deviceQueue(A, D1), conversationId: C1, envelope: bytes(1) },
            { queue: visitorQueue(C1), conversationId: C1, envelope: bytes(2) },
          ],
          [],
          1,
        );
        await s.deleteDevice(A, D1);
        await s.deleteConversation(C1);
        // Other queues are created meanwhile (a store with queue ids may hand out the old ones).
        await commitSeqs(s, [{ queue: deviceQueue(B, D2), conversationId: C2, envelope: bytes(3) }], [], 2);
        expect(await s.fetchQueue(deviceQueue(A, D1), 0, 10)).toEqual([]);
        expect(await s.fetchQueue(visitorQueue(C1), 0, 10)).toEqual([]);
        const [d, v] = await commitSeqs(
          s,
          [
            { queue: deviceQueue(A, D1), conversationId: C2, envelope: bytes(4) },
            { queue: visitorQueue(C1), conversationId: C1, envelope: bytes(5) },
          ],
          [],
          3,
        );
        expect(await s.fetchQueue(deviceQueue(A, D1), 0, 10)).toEqual([{ seq: d, envelope: bytes(4) }]);
        expect(await s.fetchQueue(visitorQueue(C1), 0, 10)).toEqual([{ seq: v, envelope: bytes(5) }]);
        expect(await s.fetchQueue(deviceQueue(B, D2), 0, 10)).toHaveLength(1);
        expect(await s.queueStats()).toEqual({ pendingMessages: 3, queues: 3, deepestQueue: 1 });
      }));

    it('appends device lists only at latest + 1 and serves each version', () =>
      withStore(async (s) => {
        expect(await s.getDeviceList(A)).toBeUndefined();
        expect(await s.appendDeviceList(A, 2, bytes(2), 1)).toEqual({ ok: false, latest: 0 });
        expect(await s.appendDeviceList(A, 1, bytes(1), 1)).toEqual({ ok: true });
        expect(await s.appendDeviceList(A, 1, bytes(9), 1)).toEqual({ ok: false, latest: 1 });
        expect(await s.appendDeviceList(A, 2, bytes(2), 1)).toEqual({ ok: true });
        expect(await s.appendDeviceList(B, 1, bytes(3), 1)).toEqual({ ok: true });
        expect(await s.getDeviceList(A)).toEqual({ version: 2, blob: bytes(2) });
        expect(await s.getDeviceList(A, 1)).toEqual({ version: 1, blob: bytes(1) });
        expect(await s.getDeviceList(A, 3)).toBeUndefined();
      }));

    it('stores bundles and widget configs per account', () =>
      withStore(async (s) => {
        await s.putBundle(A, D2, bytes(2), 1);
        await s.putBundle(A, D1, bytes(1), 1);
        await s.putBundle(A, D1, bytes(3), 2);
        await s.putBundle(B, D1, bytes(4), 1);
        expect(await s.getBundles(A)).toEqual([
          { deviceId: D1, blob: bytes(3) },
          { deviceId: D2, blob: bytes(2) },
        ]);
        expect(await s.getWidgetConfig(A)).toBeUndefined();
        await s.putWidgetConfig(A, bytes(8), 1);
        expect(await s.getWidgetConfig(A)).toEqual(bytes(8));
      }));

    it('keeps one AIK backup per account, replaced only under the same account key', () =>
      withStore(async (s) => {
        const first = { backup: bytes(1, 2), accountKey: bytes(7), signature: bytes(9) };
        expect(await s.getIdentityBackup(A)).toBeUndefined();
        expect(await s.putIdentityBackup(A, first, 1)).toBe(true);
        expect(await s.getIdentityBackup(A)).toEqual(first);
        expect(await s.getIdentityBackup(B)).toBeUndefined();
        const replaced = { backup: bytes(3), accountKey: bytes(7), signature: bytes(10) };
        expect(await s.putIdentityBackup(A, replaced, 2)).toBe(true);
        expect(await s.getIdentityBackup(A)).toEqual(replaced);
        // Another key cannot take the slot over; nothing changes.
        expect(await s.putIdentityBackup(A, { backup: bytes(4), accountKey: bytes(8), signature: bytes(11) }, 3)).toBe(
          false,
        );
        expect(await s.getIdentityBackup(A)).toEqual(replaced);
        expect(await s.putIdentityBackup(B, { backup: bytes(5), accountKey: bytes(8), signature: bytes(12) }, 3)).toBe(
          true,
        );
        expect(await s.getIdentityBackup(A)).toEqual(replaced);
      }));

    it('hands out one-time prekeys at most once, in upload order, within a cap', () =>
      withStore(async (s) => {
        expect(await s.addOneTimePrekeys(A, D1, [bytes(1), bytes(2), bytes(3)], 4)).toEqual({ ok: true, count: 3 });
        expect(await s.addOneTimePrekeys(A, D1, [bytes(4), bytes(5)], 4)).toEqual({ ok: false, count: 3 });
        expect(await s.countOneTimePrekeys(A, D1)).toBe(3);
        const claims = await Promise.all([1, 2, 3, 4, 5].map(() => s.claimOneTimePrekey(A, D1)));
        expect(claims).toEqual([bytes(1), bytes(2), bytes(3), undefined, undefined]);
        expect(await s.claimOneTimePrekey(A, D2)).toBeUndefined();
      }));

    it('commits batches with strictly increasing cursors and fetches per queue after a cursor', () =>
      withStore(async (s) => {
        const q1 = deviceQueue(A, D1);
        const q2 = visitorQueue(C1);
        const seqs = await commitSeqs(
          s,
          [
            { queue: q1, conversationId: C1, envelope: bytes(1) },
            { queue: q2, conversationId: C1, envelope: bytes(2) },
            { queue: q1, conversationId: C1, envelope: bytes(3) },
          ],
          [],
          10,
        );
        expect(seqs).toHaveLength(3);
        expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
        expect(new Set(seqs).size).toBe(3);
        expect(await s.fetchQueue(q1, 0, 10)).toEqual([
          { seq: seqs[0], envelope: bytes(1) },
          { seq: seqs[2], envelope: bytes(3) },
        ]);
        expect(await s.fetchQueue(q1, seqs[0] ?? 0, 10)).toEqual([{ seq: seqs[2], envelope: bytes(3) }]);
        expect(await s.fetchQueue(q1, 0, 1)).toHaveLength(1);
        expect(await s.queueStats()).toEqual({ pendingMessages: 3, queues: 2, deepestQueue: 2 });
        // Acks in the same transaction as new messages; an ack deletes up to its cursor only.
        const more = await commitSeqs(
          s,
          [{ queue: q1, conversationId: C1, envelope: bytes(4) }],
          [{ queue: q1, upTo: seqs[0] ?? 0 }],
          11,
        );
        expect((more[0] ?? 0) > (seqs[2] ?? 0)).toBe(true);
        expect((await s.fetchQueue(q1, 0, 10)).map((m) => m.envelope)).toEqual([bytes(3), bytes(4)]);
        await commitSeqs(
          s,
          [],
          [
            { queue: q1, upTo: more[0] ?? 0 },
            { queue: q2, upTo: 0 },
          ],
          12,
        );
        expect(await s.fetchQueue(q1, 0, 10)).toEqual([]);
        expect(await s.queueStats()).toEqual({ pendingMessages: 1, queues: 1, deepestQueue: 1 });
      }));

    it('never reuses a cursor, even after every message was acknowledged', () =>
      withStore(async (s) => {
        const q = deviceQueue(A, D1);
        const [first] = await commitSeqs(s, [{ queue: q, conversationId: C1, envelope: bytes(1) }], [], 1);
        await commitSeqs(s, [], [{ queue: q, upTo: first ?? 0 }], 2);
        const [second] = await commitSeqs(s, [{ queue: q, conversationId: C1, envelope: bytes(2) }], [], 3);
        expect((second ?? 0) > (first ?? 0)).toBe(true);
      }));

    it('deletes a conversation with its messages in every queue and its attachments', () =>
      withStore(async (s) => {
        expect(await s.createConversation({ conversationId: C1, accountId: A, capabilityHash: bytes(1, 1) }, 1)).toBe(
          true,
        );
        expect(await s.createConversation({ conversationId: C2, accountId: A, capabilityHash: bytes(2, 2) }, 1)).toBe(
          true,
        );
        expect(await s.createConversation({ conversationId: C1, accountId: B, capabilityHash: bytes(9) }, 1)).toBe(
          false,
        );
        expect(await s.getConversation(C1)).toEqual({ conversationId: C1, accountId: A, capabilityHash: bytes(1, 1) });
        await commitSeqs(
          s,
          [
            { queue: deviceQueue(A, D1), conversationId: C1, envelope: bytes(1) },
            { queue: visitorQueue(C1), conversationId: C1, envelope: bytes(2) },
            { queue: deviceQueue(A, D1), conversationId: C2, envelope: bytes(3) },
          ],
          [],
          2,
        );
        expect(await s.putAttachment({ attachmentId: hex(31), conversationId: C1, blob: bytes(1, 2) }, 100, 2)).toBe(
          'stored',
        );
        expect(await s.deleteConversation(C1)).toBe(true);
        expect(await s.deleteConversation(C1)).toBe(false);
        expect(await s.getConversation(C1)).toBeUndefined();
        expect((await s.fetchQueue(deviceQueue(A, D1), 0, 10)).map((m) => m.envelope)).toEqual([bytes(3)]);
        expect(await s.fetchQueue(visitorQueue(C1), 0, 10)).toEqual([]);
        expect(await s.getAttachment(hex(31))).toBeUndefined();
      }));

    it('enforces the attachment quota per conversation', () =>
      withStore(async (s) => {
        expect(
          await s.putAttachment({ attachmentId: hex(41), conversationId: C1, blob: new Uint8Array(60) }, 100, 1),
        ).toBe('stored');
        expect(
          await s.putAttachment({ attachmentId: hex(42), conversationId: C1, blob: new Uint8Array(41) }, 100, 1),
        ).toBe('over-quota');
        expect(
          await s.putAttachment({ attachmentId: hex(43), conversationId: C1, blob: new Uint8Array(40) }, 100, 1),
        ).toBe('stored');
        expect(
          await s.putAttachment({ attachmentId: hex(44), conversationId: C2, blob: new Uint8Array(100) }, 100, 1),
        ).toBe('stored');
        expect((await s.getAttachment(hex(41)))?.blob.length).toBe(60);
        expect(await s.getAttachment(hex(42))).toBeUndefined();
      }));

    it('never overwrites an attachment: a taken id is "exists", in any conversation, even when two uploads race', () =>
      withStore(async (s) => {
        const first = new Uint8Array([1, 2, 3]);
        expect(await s.putAttachment({ attachmentId: hex(45), conversationId: C1, blob: first }, 100, 1)).toBe(
          'stored',
        );
        expect(
          await s.putAttachment({ attachmentId: hex(45), conversationId: C1, blob: new Uint8Array([9]) }, 100, 1),
        ).toBe('exists');
        expect(
          await s.putAttachment({ attachmentId: hex(45), conversationId: C2, blob: new Uint8Array([9]) }, 100, 1),
        ).toBe('exists');
        const raced = await Promise.all([
          s.putAttachment({ attachmentId: hex(46), conversationId: C1, blob: new Uint8Array([4]) }, 100, 1),
          s.putAttachment({ attachmentId: hex(46), conversationId: C2, blob: new Uint8Array([5]) }, 100, 1),
        ]);
        expect([...raced].sort()).toEqual(['exists', 'stored']);
        expect((await s.getAttachment(hex(45)))?.blob).toEqual(first);
        expect((await s.getAttachment(hex(46)))?.conversationId).toBe(raced[0] === 'stored' ? C1 : C2);
      }));

    it('purges exactly the messages created before the cutoff, across queues, batches and acks', () =>
      withStore(async (s) => {
        const queues = [deviceQueue(A, D1), deviceQueue(A, D2), visitorQueue(C1)];
        const seqs: number[] = [];
        for (let t = 1; t <= 20; t += 1) {
          const batch = queues.map((queue, i) => ({ queue, conversationId: i === 1 ? C2 : C1, envelope: bytes(t, i) }));
          seqs.push(...(await commitSeqs(s, batch, [], t * 10)));
        }
        // Acknowledge the first 5 batches of the visitor queue: 57 messages remain.
        await commitSeqs(s, [], [{ queue: visitorQueue(C1), upTo: seqs[14] ?? 0 }], 200);
        // Created before 75: batches 1-7, 21 messages, of which 5 were acknowledged already.
        expect((await s.purge(75, 0)).messages).toBe(16);
        expect((await s.purge(75, 0)).messages).toBe(0);
        for (const queue of queues) {
          const left = await s.fetchQueue(queue, 0, 100);
          expect(left.map((m) => m.envelope[0])).toEqual([8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
        }
        expect((await s.purge(201, 0)).messages).toBe(39);
        expect(await s.queueStats()).toEqual({ pendingMessages: 0, queues: 0, deepestQueue: 0 });
      }));

    it('purges messages, attachments and idle conversations older than the cutoff', () =>
      withStore(async (s) => {
        await s.createConversation({ conversationId: C1, accountId: A, capabilityHash: bytes(1) }, 10);
        await s.createConversation({ conversationId: C2, accountId: A, capabilityHash: bytes(2) }, 10);
        await commitSeqs(s, [{ queue: visitorQueue(C1), conversationId: C1, envelope: bytes(1) }], [], 10);
        await s.putAttachment({ attachmentId: hex(51), conversationId: C1, blob: bytes(1) }, 100, 10);
        // C2 stays active: a message at t=50 touches it.
        await commitSeqs(s, [{ queue: visitorQueue(C2), conversationId: C2, envelope: bytes(2) }], [], 50);
        const purged = await s.purge(20, 60);
        expect(purged).toEqual({ messages: 1, attachments: 1, conversations: 1, sessions: 0, conversationIds: [C1] });
        expect(await s.getConversation(C1)).toBeUndefined();
        expect(await s.getConversation(C2)).toBeDefined();
        expect(await s.fetchQueue(visitorQueue(C2), 0, 10)).toHaveLength(1);
      }));

    it('§16.2: a resend before the ack answers the first cursor and stores nothing', () =>
      withStore(async (s) => {
        const q = deviceQueue(A, D1);
        const [first] = await s.commit([{ queue: q, conversationId: C1, envelope: bytes(1, 2, 3) }], [], 1);
        expect(first).toEqual({ seq: first?.seq, resent: false });
        const again = await s.commit([{ queue: q, conversationId: C1, envelope: bytes(1, 2, 3) }], [], 2);
        expect(again).toEqual([{ seq: first?.seq, resent: true }]);
        expect(await s.fetchQueue(q, 0, 10)).toEqual([{ seq: first?.seq, envelope: bytes(1, 2, 3) }]);
        expect(await s.queueStats()).toEqual({ pendingMessages: 1, queues: 1, deepestQueue: 1 });
        // A different envelope is a new message, with the next cursor.
        const [other] = await s.commit([{ queue: q, conversationId: C1, envelope: bytes(1, 2, 4) }], [], 3);
        expect(other?.resent).toBe(false);
        expect(other?.seq ?? 0).toBeGreaterThan(first?.seq ?? 0);
      }));

    it('§16.2: a resend after the ack deleted the message still answers its cursor, and is not queued again', () =>
      withStore(async (s) => {
        const q = visitorQueue(C1);
        const [first] = await commitSeqs(s, [{ queue: q, conversationId: C1, envelope: bytes(5) }], [], 1);
        await s.commit([], [{ queue: q, upTo: first ?? 0 }], 2);
        expect(await s.fetchQueue(q, 0, 10)).toEqual([]);
        expect(await s.commit([{ queue: q, conversationId: C1, envelope: bytes(5) }], [], 3)).toEqual([
          { seq: first, resent: true },
        ]);
        expect(await s.fetchQueue(q, 0, 10)).toEqual([]);
        expect((await s.queueStats()).pendingMessages).toBe(0);
      }));

    it('§16.2: equal bytes into another queue are another message', () =>
      withStore(async (s) => {
        const [toDevice, toVisitor, toOther] = await s.commit(
          [
            { queue: deviceQueue(A, D1), conversationId: C1, envelope: bytes(9, 9) },
            { queue: visitorQueue(C1), conversationId: C1, envelope: bytes(9, 9) },
            { queue: deviceQueue(A, D2), conversationId: C1, envelope: bytes(9, 9) },
          ],
          [],
          1,
        );
        expect([toDevice?.resent, toVisitor?.resent, toOther?.resent]).toEqual([false, false, false]);
        expect(new Set([toDevice?.seq, toVisitor?.seq, toOther?.seq]).size).toBe(3);
        expect(await s.fetchQueue(deviceQueue(A, D2), 0, 10)).toEqual([{ seq: toOther?.seq, envelope: bytes(9, 9) }]);
        expect((await s.queueStats()).pendingMessages).toBe(3);
      }));

    it('§16.2: two equal envelopes in one batch are one message, the second answered with its cursor', () =>
      withStore(async (s) => {
        const q = deviceQueue(A, D1);
        const committed = await s.commit(
          [
            { queue: q, conversationId: C1, envelope: bytes(7) },
            { queue: q, conversationId: C1, envelope: bytes(8) },
            { queue: q, conversationId: C1, envelope: bytes(7) },
            { queue: q, conversationId: C1, envelope: bytes(8) },
          ],
          [],
          1,
        );
        const [seven, eight] = committed;
        expect(committed).toEqual([
          { seq: seven?.seq, resent: false },
          { seq: eight?.seq, resent: false },
          { seq: seven?.seq, resent: true },
          { seq: eight?.seq, resent: true },
        ]);
        expect(eight?.seq).toBe((seven?.seq ?? 0) + 1);
        expect((await s.fetchQueue(q, 0, 10)).map((m) => m.envelope)).toEqual([bytes(7), bytes(8)]);
        // The next message's cursor follows: a resend takes none.
        const [next] = await commitSeqs(s, [{ queue: q, conversationId: C1, envelope: bytes(6) }], [], 2);
        expect(next).toBe((eight?.seq ?? 0) + 1);
      }));

    it('§16.2: the record of a send expires with the message retention (purge), not before', () =>
      withStore(async (s) => {
        const q = deviceQueue(A, D1);
        const [first] = await commitSeqs(s, [{ queue: q, conversationId: C1, envelope: bytes(4, 2) }], [], 10);
        await s.commit([], [{ queue: q, upTo: first ?? 0 }], 11);
        // A cutoff before the send keeps its record: still a resend.
        await s.purge(10, 12);
        expect(await s.commit([{ queue: q, conversationId: C1, envelope: bytes(4, 2) }], [], 13)).toEqual([
          { seq: first, resent: true },
        ]);
        // Past retention the record is gone: the same bytes are a new message under a new cursor.
        await s.purge(20, 21);
        const [late] = await s.commit([{ queue: q, conversationId: C1, envelope: bytes(4, 2) }], [], 30);
        expect(late?.resent).toBe(false);
        expect(late?.seq ?? 0).toBeGreaterThan(first ?? 0);
        expect((await s.fetchQueue(q, 0, 10)).map((m) => m.seq)).toEqual([late?.seq]);
      }));

    it('purges many idle conversations at once with their messages in shared device queues, keeping the active one', () =>
      withStore(async (s) => {
        const idle = Array.from({ length: 40 }, (_, i) => hex(100 + i));
        const device = deviceQueue(A, D1);
        for (const id of [...idle, C1]) {
          await s.createConversation({ conversationId: id, accountId: A, capabilityHash: bytes(1) }, 10);
          // Created at 10 (kept by a cutoff of 5) and at 30 (the message that keeps C1 active).
          // Envelopes carry their conversation id (§2.6), so no two here are equal.
          await commitSeqs(
            s,
            [
              { queue: device, conversationId: id, envelope: bytes(...Buffer.from(id, 'hex'), 1) },
              { queue: visitorQueue(id), conversationId: id, envelope: bytes(...Buffer.from(id, 'hex'), 2) },
            ],
            [],
            id === C1 ? 30 : 10,
          );
        }
        const purged = await s.purge(20, 60);
        expect(purged.conversations).toBe(40);
        expect([...purged.conversationIds].sort()).toEqual(idle);
        // Created at 10, before the cutoff: the idle conversations' messages are expired anyway.
        expect(purged.messages).toBe(80);
        expect(await s.getConversation(C1)).toBeDefined();
        for (const id of idle) expect(await s.getConversation(id)).toBeUndefined();
        expect(await s.fetchQueue(device, 0, 100)).toHaveLength(1);
        expect(await s.queueStats()).toEqual({ pendingMessages: 2, queues: 2, deepestQueue: 1 });
      }));

    it('§9: keeps archive grants per device in order, up to a cap, paged, and drops them with the device', () =>
      withStore(async (s) => {
        await s.putDevice(A, D1, bytes(1), 5);
        expect(await s.putArchiveGrant(A, D1, bytes(1), 2, 1)).toEqual({ ok: true, count: 1 });
        expect(await s.putArchiveGrant(A, D1, bytes(2), 2, 1)).toEqual({ ok: true, count: 2 });
        expect(await s.putArchiveGrant(A, D1, bytes(3), 2, 1)).toEqual({ ok: false, count: 2 });
        await s.putArchiveGrant(A, D2, bytes(9), 2, 1);
        const all = await s.archiveGrants(A, D1, 0, 10);
        expect(all.map((g) => g.blob)).toEqual([bytes(1), bytes(2)]);
        expect(all[0]?.seq ?? 0).toBeLessThan(all[1]?.seq ?? 0);
        expect((await s.archiveGrants(A, D1, all[0]?.seq ?? 0, 10)).map((g) => g.blob)).toEqual([bytes(2)]);
        expect(await s.archiveGrants(A, D1, 0, 1)).toHaveLength(1);
        expect(await s.archiveGrants(B, D1, 0, 10)).toEqual([]);
        await s.deleteDevice(A, D1);
        expect(await s.archiveGrants(A, D1, 0, 10)).toEqual([]);
        expect((await s.archiveGrants(A, D2, 0, 10)).map((g) => g.blob)).toEqual([bytes(9)]);
      }));

    it('§9.2: keeps history records write-once per (author, record id), per account, capped and paged', () =>
      withStore(async (s) => {
        expect(await s.putHistoryRecord(A, D1, 'aa', bytes(1), 3, 1)).toBe('stored');
        expect(await s.putHistoryRecord(A, D1, 'aa', bytes(7), 3, 1)).toBe('taken');
        expect(await s.putHistoryRecord(A, D2, 'aa', bytes(2), 3, 1)).toBe('stored');
        expect(await s.putHistoryRecord(B, D1, 'aa', bytes(5), 3, 1)).toBe('stored');
        expect(await s.putHistoryRecord(A, D1, 'bb', bytes(3), 3, 1)).toBe('stored');
        expect(await s.putHistoryRecord(A, D1, 'cc', bytes(4), 3, 1)).toBe('full');
        const rows = await s.historyRecords(A, 0, 10);
        expect(rows.map((r) => [r.author, r.recordId, r.blob])).toEqual([
          [D1, 'aa', bytes(1)],
          [D2, 'aa', bytes(2)],
          [D1, 'bb', bytes(3)],
        ]);
        const page = await s.historyRecords(A, rows[0]?.seq ?? 0, 1);
        expect(page.map((r) => r.blob)).toEqual([bytes(2)]);
        expect((await s.historyRecords(B, 0, 10)).map((r) => r.blob)).toEqual([bytes(5)]);
        await s.deleteDevice(A, D1);
        expect(await s.historyRecords(A, 0, 10)).toHaveLength(3);
      }));
    blockListContract(withStore);
  });
}
