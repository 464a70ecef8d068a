/**
 * Issue #10 item 13: after a crash that loses the WAL (SIGKILL, then relay.sqlite-wal deleted, as
 * a bad restore does), what was only in the WAL is lost, but cursors never go backwards: a message
 * stored after the restart gets a cursor above every cursor handed out (and acknowledged) before,
 * so a device resuming from its last ack receives it; the relay logs that it moved past the floor.
 */
import { rmSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeDataDir, startRelayProcess } from './support/relay-process.js';
import { FILL_ENV, fillInstall } from './support/filled-relay.js';
import { connectDevice, connectVisitor, envelope } from './support/relay-api.js';

describe('#10.13: cursors never go backwards after a lost WAL', () => {
  const data = makeDataDir();
  afterAll(() => {
    data.remove();
  });

  it.each([
    { lose: 'deleted', reason: 'unclean-stop-wal-missing' },
    { lose: 'truncated to a third', reason: 'unclean-stop' },
  ])(
    '#10.13: SIGKILL, WAL $lose: the next message gets a cursor above the acknowledged one and is delivered',
    async ({ lose, reason }) => {
      const dir = join(data.dir, lose.replace(/ /g, '-'));
      // The account, device and conversation are checkpointed into relay.sqlite (clean stop).
      const { agent, conversation } = await fillInstall(dir, 1);
      const before = await startRelayProcess(dir, FILL_ENV);
      let acked: number;
      try {
        const visitor = await connectVisitor(before.wsUrl, conversation);
        for (let i = 1; i <= 200; i += 1)
          visitor.send({
            type: 'send',
            requestId: i,
            envelope: envelope(conversation.conversationId, { device: agent.deviceId }, new Uint8Array([i])),
          });
        await visitor.until((f) => f.filter((x) => x.type === 'stored').length === 200, '200 stored');
        const device = await connectDevice(before.wsUrl, agent);
        await device.until((f) => f.filter((x) => x.type === 'deliver').length === 201, '201 deliveries');
        acked = Math.max(...device.of('deliver').map((d) => d.cursor));
        device.send({ type: 'ack', cursor: acked });
        // The ack is applied by the next batch commit; give it a moment before the crash.
        await new Promise((resolve) => setTimeout(resolve, 300));
      } finally {
        expect(await before.stop('SIGKILL')).toBe(null);
      }
      expect(acked).toBeGreaterThan(200);
      // The WAL (every commit since the clean start) is lost; relay.sqlite itself is intact.
      const wal = join(dir, 'relay.sqlite-wal');
      if (lose === 'deleted') rmSync(wal);
      else truncateSync(wal, Math.floor(statSync(wal).size / 3));
      rmSync(join(dir, 'relay.sqlite-shm'), { force: true });

      const after = await startRelayProcess(dir, FILL_ENV);
      try {
        const visitor = await connectVisitor(after.wsUrl, conversation);
        // A body not sent before ([42] was the 42nd: the relay would answer it as a resend, §16.2).
        visitor.send({
          type: 'send',
          requestId: 1,
          envelope: envelope(conversation.conversationId, { device: agent.deviceId }, new Uint8Array([0, 42])),
        });
        await visitor.until((f) => f.some((x) => x.type === 'stored' || x.type === 'error'), 'stored');
        const stored = visitor.of('stored')[0];
        expect(stored?.cursor, 'the cursor went backwards').toBeGreaterThan(acked);
        const device = await connectDevice(after.wsUrl, agent, acked);
        await device.until((f) => f.some((x) => x.type === 'deliver'), 'the message stored after the restart');
        expect(device.of('deliver').map((d) => d.cursor)).toEqual([stored?.cursor]);
        expect(after.output()).toMatch(new RegExp(`"event":"store\\.cursor-floor-used"[^\\n]*"reason":"${reason}"`));
      } finally {
        await after.stop('SIGKILL');
      }
    },
  );
});
