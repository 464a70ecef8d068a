/**
 * PROTOCOL §9 at the relay (relay/http/archive-routes.ts), against a real relay process: a grant
 * is read only by its device (or a password login) and never left for a device that is not
 * enrolled, and goes with its device; a history record is written only under its author's own id,
 * once per slot, and read back in order by any session of the account, never by another account.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RelayProcess, makeDataDir, startRelayProcess } from './support/relay-process.js';
import {
  connectDevice,
  connectVisitor,
  enrolDevice,
  http,
  openConversation,
  randomHexId,
  registerAndLogin,
  unb64,
} from './support/relay-api.js';
import { as, deviceSession } from './support/device-roles.js';

/** A record-shaped blob naming `author` at bytes 22..38 (the relay reads nothing else of it). */
function recordBy(author: string, fill: number): Uint8Array {
  const bytes = new Uint8Array(120).fill(fill);
  bytes.set(Buffer.from(author, 'hex'), 22);
  return bytes;
}

describe('§9: archive grants and history records at the relay', () => {
  const data = makeDataDir();
  let relay: RelayProcess;

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir);
  });
  afterAll(async () => {
    await relay.stop('SIGKILL');
    data.remove();
  });

  it('§9.4: grants go to an enrolled device, are read by it alone, and go with it', async () => {
    const account = await registerAndLogin(relay.origin, `archive-${randomHexId()}@example.test`);
    const [a, b] = [await enrolDevice(relay.origin, account), await enrolDevice(relay.origin, account)];
    const [ta, tb] = [await deviceSession(relay.origin, a), await deviceSession(relay.origin, b)];
    const base = `/v1/accounts/${account.accountId}/devices`;
    const put = (token: string, device: string, body: Uint8Array) =>
      as(token, relay.origin, 'POST', `${base}/${device}/archive-grants`, { body });
    expect((await put(ta, b.deviceId, new Uint8Array([1, 2]))).status).toBe(201);
    expect((await put(ta, b.deviceId, new Uint8Array([3]))).status).toBe(201);
    expect((await put(ta, randomHexId(), new Uint8Array([4]))).status).toBe(404);
    expect(
      (await http(relay.origin, 'POST', `${base}/${b.deviceId}/archive-grants`, { body: new Uint8Array([5]) })).status,
    ).toBe(401);
    const read = await as(tb, relay.origin, 'GET', `${base}/${b.deviceId}/archive-grants/after/0`);
    const grants = read.json['grants'] as { seq: number; grant: string }[];
    expect(grants.map((g) => unb64(g.grant))).toEqual([new Uint8Array([1, 2]), new Uint8Array([3])]);
    const after = await as(
      tb,
      relay.origin,
      'GET',
      `${base}/${b.deviceId}/archive-grants/after/${grants[0]?.seq ?? 0}`,
    );
    expect((after.json['grants'] as unknown[]).length).toBe(1);
    expect((await as(ta, relay.origin, 'GET', `${base}/${b.deviceId}/archive-grants/after/0`)).status).toBe(403);
    expect((await as(account.token, relay.origin, 'GET', `${base}/${b.deviceId}/archive-grants/after/0`)).status).toBe(
      200,
    );
    expect((await as(ta, relay.origin, 'DELETE', `${base}/${b.deviceId}`)).status).toBeLessThan(300);
    expect((await put(ta, b.deviceId, new Uint8Array([6]))).status).toBe(404);
    const gone = await as(account.token, relay.origin, 'GET', `${base}/${b.deviceId}/archive-grants/after/0`);
    expect(gone.json['grants']).toEqual([]);
  });

  it('§9.2: records only under the author’s own id, write-once, paged, per account', async () => {
    const account = await registerAndLogin(relay.origin, `archive-${randomHexId()}@example.test`);
    const other = await registerAndLogin(relay.origin, `archive-${randomHexId()}@example.test`);
    const [a, b] = [await enrolDevice(relay.origin, account), await enrolDevice(relay.origin, account)];
    const ta = await deviceSession(relay.origin, a);
    const tb = await deviceSession(relay.origin, b);
    const history = `/v1/accounts/${account.accountId}/history`;
    const put = (token: string, author: string, recordId: string, body: Uint8Array) =>
      as(token, relay.origin, 'PUT', `${history}/${author}/${recordId}`, { body });
    expect((await put(ta, a.deviceId, 'aa01', recordBy(a.deviceId, 1))).status).toBe(201);
    const again = await put(ta, a.deviceId, 'aa01', recordBy(a.deviceId, 2));
    expect([again.status, again.json['error']]).toEqual([409, 'record-taken']);
    expect((await put(tb, a.deviceId, 'aa02', recordBy(a.deviceId, 3))).status).toBe(403);
    const lying = await put(tb, b.deviceId, 'aa02', recordBy(a.deviceId, 3));
    expect([lying.status, lying.json['error']]).toEqual([400, 'bad-record-author']);
    expect((await put(tb, b.deviceId, 'aa01', recordBy(b.deviceId, 4))).status).toBe(201);
    const read = await as(tb, relay.origin, 'GET', `${history}/after/0`);
    const records = read.json['records'] as { seq: number; author: string; recordId: string; record: string }[];
    expect(records.map((r) => [r.author, r.recordId, unb64(r.record)[0]])).toEqual([
      [a.deviceId, 'aa01', 1],
      [b.deviceId, 'aa01', 4],
    ]);
    const page = await as(ta, relay.origin, 'GET', `${history}/after/${records[0]?.seq ?? 0}`);
    expect((page.json['records'] as unknown[]).length).toBe(1);
    expect((await as(other.token, relay.origin, 'GET', `${history}/after/0`)).status).toBe(403);
    expect((await http(relay.origin, 'GET', `${history}/after/0`)).status).toBe(401);
  });

  it('§16.11: a history write with notify=1 nudges the account’s other connected devices, no one else', async () => {
    const account = await registerAndLogin(relay.origin, `archive-${randomHexId()}@example.test`);
    const other = await registerAndLogin(relay.origin, `archive-${randomHexId()}@example.test`);
    const [a, b] = [await enrolDevice(relay.origin, account), await enrolDevice(relay.origin, account)];
    const stranger = await enrolDevice(relay.origin, other);
    const ta = await deviceSession(relay.origin, a);
    const [wa, wb, ws] = [
      await connectDevice(relay.wsUrl, a),
      await connectDevice(relay.wsUrl, b),
      await connectDevice(relay.wsUrl, stranger),
    ];
    const visitor = await connectVisitor(relay.wsUrl, await openConversation(relay.origin, account.accountId));
    const history = `/v1/accounts/${account.accountId}/history/${a.deviceId}`;
    const nudges = (c: typeof wa): number => c.frames.filter((f) => f.type === 'nudge').length;

    expect((await as(ta, relay.origin, 'PUT', `${history}/bb01`, { body: recordBy(a.deviceId, 1) })).status).toBe(201);
    // A refused write (taken slot) and one naming another author nudge no one.
    expect(
      (await as(ta, relay.origin, 'PUT', `${history}/bb01?notify=1`, { body: recordBy(a.deviceId, 2) })).status,
    ).toBe(409);
    expect(
      (await as(ta, relay.origin, 'PUT', `${history}/bb02?notify=1`, { body: recordBy(b.deviceId, 2) })).status,
    ).toBe(400);
    expect(
      (await as(ta, relay.origin, 'PUT', `${history}/bb03?notify=1`, { body: recordBy(a.deviceId, 3) })).status,
    ).toBe(201);
    await wb.until((f) => f.some((x) => x.type === 'nudge'), 'the nudge at the sibling');
    // Only two nudges in all: the write without notify and the refused ones sent none.
    expect(
      (await as(ta, relay.origin, 'PUT', `${history}/bb04?notify=1`, { body: recordBy(a.deviceId, 4) })).status,
    ).toBe(201);
    await wb.until((f) => f.filter((x) => x.type === 'nudge').length === 2, 'the second nudge');
    expect([nudges(wa), nudges(wb), nudges(ws), nudges(visitor)]).toEqual([0, 2, 0, 0]);
    // The frame is the two header bytes only: no id, author or count.
    expect(wb.frames.filter((f) => f.type === 'nudge')).toEqual([{ type: 'nudge' }, { type: 'nudge' }]);
    for (const c of [wa, wb, ws, visitor]) await c.close();
  });

  it('§16.11: a grant with notify=1 nudges the device it is for, and no other', async () => {
    const account = await registerAndLogin(relay.origin, `archive-${randomHexId()}@example.test`);
    const [a, b, c] = [
      await enrolDevice(relay.origin, account),
      await enrolDevice(relay.origin, account),
      await enrolDevice(relay.origin, account),
    ];
    const ta = await deviceSession(relay.origin, a);
    const [wa, wb, wc] = [
      await connectDevice(relay.wsUrl, a),
      await connectDevice(relay.wsUrl, b),
      await connectDevice(relay.wsUrl, c),
    ];
    const base = `/v1/accounts/${account.accountId}/devices`;
    const put = (device: string, query: string) =>
      as(ta, relay.origin, 'POST', `${base}/${device}/archive-grants${query}`, { body: new Uint8Array([7]) });
    const nudges = (w: typeof wa): number => w.frames.filter((f) => f.type === 'nudge').length;

    // Without notify, and to a device that is not enrolled: no nudge.
    expect((await put(b.deviceId, '')).status).toBe(201);
    expect((await put(randomHexId(), '?notify=1')).status).toBe(404);
    expect((await put(c.deviceId, '?notify=1')).status).toBe(201);
    await wc.until((f) => f.some((x) => x.type === 'nudge'), 'the nudge at the grant’s device');
    expect((await put(b.deviceId, '?notify=1')).status).toBe(201);
    await wb.until((f) => f.some((x) => x.type === 'nudge'), 'the nudge at the second grant’s device');
    // Frames of one socket keep their order: a nudge for b's first grant would have come before.
    expect([nudges(wa), nudges(wb), nudges(wc)]).toEqual([0, 1, 1]);
    for (const w of [wa, wb, wc]) await w.close();
  });
});
