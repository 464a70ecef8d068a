/**
 * PROTOCOL §16.12 at a real relay process: a device's team signal reaches the account's other
 * connected devices only — not its author, not another account, not a visitor — with the author
 * the relay authenticated, and is never stored (a device connecting later gets nothing). A visitor
 * may not send one; past the per-connection rate the relay answers `signal-rate-limited`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRAME_ERRORS, TEAM_SIGNAL_MAX_BYTES, encodeClientFrame, idToHex } from '../../shared/wire/index.js';
import { type RelayProcess, makeDataDir, startRelayProcess } from './support/relay-process.js';
import { connectDevice, connectVisitor, enrolDevice, openConversation, registerAndLogin } from './support/relay-api.js';
import type { TestClient } from './support/ws-client.js';

const signals = (c: TestClient): string[] =>
  c.frames.flatMap((f) => (f.type === 'team-signal' ? [`${idToHex(f.author)}:${f.blob.length}`] : []));
const errors = (c: TestClient): number[] => c.frames.flatMap((f) => (f.type === 'error' ? [f.code] : []));

describe('§16.12: team signals at the relay', () => {
  const data = makeDataDir();
  let relay: RelayProcess;

  beforeAll(async () => {
    relay = await startRelayProcess(data.dir, { SEALDESK_TEAM_SIGNALS_PER_SECOND: '3' });
  });
  afterAll(async () => {
    await relay.stop('SIGKILL');
    data.remove();
  });

  it('forwarded to the account’s other connected devices only, named by the authenticated author, never stored', async () => {
    const account = await registerAndLogin(relay.origin, `signals-${crypto.randomUUID()}@example.test`);
    const other = await registerAndLogin(relay.origin, `signals-${crypto.randomUUID()}@example.test`);
    const [a, b, late] = [
      await enrolDevice(relay.origin, account),
      await enrolDevice(relay.origin, account),
      await enrolDevice(relay.origin, account),
    ];
    const stranger = await enrolDevice(relay.origin, other);
    const [wa, wb, ws] = [
      await connectDevice(relay.wsUrl, a),
      await connectDevice(relay.wsUrl, b),
      await connectDevice(relay.wsUrl, stranger),
    ];
    const visitor = await connectVisitor(relay.wsUrl, await openConversation(relay.origin, account.accountId));

    wa.send({ type: 'team-signal', blob: new Uint8Array(145).fill(7) });
    await wb.until((f) => f.some((x) => x.type === 'team-signal'), 'the signal at the sibling');
    expect(signals(wb)).toEqual([`${a.deviceId}:145`]);
    const signal = wb.frames.find((f) => f.type === 'team-signal');
    expect(signal?.type === 'team-signal' && signal.blob.every((x) => x === 7)).toBe(true);

    // A device connecting afterwards gets nothing (not stored); the author, the stranger and the visitor got nothing.
    const wl = await connectDevice(relay.wsUrl, late);
    // A marker from b: once a and the late device have it, the earlier signal would have arrived too.
    wb.send({ type: 'team-signal', blob: new Uint8Array(145) });
    await wa.until((f) => f.some((x) => x.type === 'team-signal'), 'the marker at a');
    await wl.until((f) => f.some((x) => x.type === 'team-signal'), 'the marker at the late device');
    expect(signals(wa)).toEqual([`${b.deviceId}:145`]);
    expect(signals(wl)).toEqual([`${b.deviceId}:145`]);
    expect(signals(wb)).toEqual([`${a.deviceId}:145`]);
    expect(signals(ws)).toEqual([]);
    expect(signals(visitor)).toEqual([]);

    // A visitor may not send one; nobody receives it.
    visitor.send({ type: 'team-signal', blob: new Uint8Array(145) });
    await visitor.until((f) => f.some((x) => x.type === 'error'), 'the refusal');
    expect(errors(visitor)).toEqual([FRAME_ERRORS.forbidden]);
    await Promise.all([wa, wb, ws, wl, visitor].map((c) => c.close()));
  });

  it('strict size cap, and a per-connection rate with a typed refusal', async () => {
    const account = await registerAndLogin(relay.origin, `signals-${crypto.randomUUID()}@example.test`);
    const [a, b] = [await enrolDevice(relay.origin, account), await enrolDevice(relay.origin, account)];
    const [wa, wb] = [await connectDevice(relay.wsUrl, a), await connectDevice(relay.wsUrl, b)];
    // One byte over the cap: a malformed frame (the generic encoder refuses to write it, so by hand).
    const ok = encodeClientFrame({ type: 'team-signal', blob: new Uint8Array(TEAM_SIGNAL_MAX_BYTES) });
    const over = new Uint8Array(ok.length + 1);
    over.set(ok);
    new DataView(over.buffer).setUint32(2, TEAM_SIGNAL_MAX_BYTES + 1);
    wa.sendRaw(over);
    await wa.until((f) => f.some((x) => x.type === 'error'), 'the malformed-frame refusal');
    expect(errors(wa)).toEqual([FRAME_ERRORS['malformed-frame']]);

    // SEALDESK_TEAM_SIGNALS_PER_SECOND=3: a burst of ten sent at once, at most three (plus refill) pass.
    for (let i = 0; i < 10; i++) wa.send({ type: 'team-signal', blob: new Uint8Array([i]) });
    // Each of the ten is either refused to the sender or forwarded to the other device, once.
    const refusedCount = (): number => errors(wa).filter((c) => c === FRAME_ERRORS['signal-rate-limited']).length;
    await wa.until(() => refusedCount() + signals(wb).length >= 10, 'every signal refused or let through');
    await new Promise((resolve) => setTimeout(resolve, 200)); // nothing more arrives
    expect(refusedCount() + signals(wb).length).toBe(10);
    expect(refusedCount()).toBeGreaterThanOrEqual(5);
    await Promise.all([wa.close(), wb.close()]);
  });
});
