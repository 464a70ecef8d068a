/**
 * Issue #10 item 10: a checkpoint-worker error (disk full, read-only database file) must take the
 * documented fallback (log store.checkpointer-failed, checkpoint on the store's own connection)
 * and never kill the relay. A real relay process, a real tmpfs filled up, a real chattr +i.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeDataDir, type RelayProcess, startRelayProcess } from './support/relay-process.js';
import {
  connectDevice,
  connectVisitor,
  enrolDevice,
  envelope,
  http,
  openConversation,
  registerAndLogin,
} from './support/relay-api.js';
import { mountSmallDisk, requireRoot, setImmutable } from './support/fault-disk.js';

/** More than the worker's passive threshold (4 MiB): the worker checkpoints it within 100 ms. */
const ATTACHMENT_BYTES = 6 * 1024 * 1024;

async function untilLogged(relay: RelayProcess, pattern: RegExp, what: string): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const m = pattern.exec(relay.output());
    if (m !== null) return m[0];
    if (relay.child.exitCode !== null || relay.child.signalCode !== null)
      throw new Error(
        `relay exited (${String(relay.child.exitCode ?? relay.child.signalCode)}) before ${what}:\n${relay.output()}`,
      );
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${relay.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Sets up an account, an agent device and a conversation, and fills the WAL past the checkpoint threshold. */
async function fillWal(relay: RelayProcess): Promise<{ send: () => Promise<void> }> {
  const account = await registerAndLogin(relay.origin, 'faults@example.test');
  const agent = await enrolDevice(relay.origin, account);
  const conversation = await openConversation(relay.origin, account.accountId);
  const upload = await http(relay.origin, 'POST', `/v1/conversations/${conversation.conversationId}/attachments`, {
    body: new Uint8Array(ATTACHMENT_BYTES).fill(7),
    headers: { 'sealdesk-capability': conversation.capability },
  });
  expect(upload.status).toBe(201);
  let requestId = 0;
  return {
    send: async () => {
      const visitor = await connectVisitor(relay.wsUrl, conversation);
      requestId += 1;
      const id = requestId;
      visitor.send({
        type: 'send',
        requestId: id,
        envelope: envelope(conversation.conversationId, { device: agent.deviceId }, new Uint8Array([id])),
      });
      await visitor.until((f) => f.some((x) => x.type === 'stored' || x.type === 'error'), 'stored');
      expect(visitor.of('stored').length).toBe(1);
      await visitor.close();
      const device = await connectDevice(relay.wsUrl, agent);
      await device.until((f) => f.some((x) => x.type === 'deliver'), 'deliver');
      await device.close();
    },
  };
}

describe('#10.10: checkpoint-worker errors take the fallback, not the process', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('#10.10: disk full while the worker checkpoints: logged with its code, the relay keeps serving', async () => {
    const disk = mountSmallDisk(48 * 1024 * 1024);
    cleanups.push(() => {
      disk.remove();
    });
    const dataDir = join(disk.dir, 'data');
    const relay = await startRelayProcess(dataDir);
    cleanups.push(async () => {
      await relay.stop('SIGKILL');
    });
    // Room for the WAL frames of the upload, not for copying them into relay.sqlite as well.
    disk.fillLeaving(ATTACHMENT_BYTES + 2 * 1024 * 1024);
    const traffic = await fillWal(relay);
    const line = await untilLogged(relay, /"event":"store\.checkpointer-failed"[^\n]*/, 'store.checkpointer-failed');
    expect(line).toMatch(/SQLITE_FULL|SQLITE_IOERR/);
    expect((await http(relay.origin, 'GET', '/healthz')).status).toBe(200);
    disk.unfill();
    await traffic.send();
    expect(relay.output()).not.toContain('Cannot read properties');
    expect(await relay.stop('SIGTERM')).toBe(0);
  });

  it('#10.10: database file made read-only (chattr +i) under the worker: logged, the relay keeps serving', async () => {
    requireRoot();
    const data = makeDataDir();
    cleanups.push(() => {
      data.remove();
    });
    const relay = await startRelayProcess(data.dir);
    const db = join(data.dir, 'relay.sqlite');
    cleanups.push(async () => {
      setImmutable(db, false);
      await relay.stop('SIGKILL');
    });
    setImmutable(db, true);
    const traffic = await fillWal(relay);
    const line = await untilLogged(relay, /"event":"store\.checkpointer-failed"[^\n]*/, 'store.checkpointer-failed');
    expect(line).toMatch(/SQLITE_(IOERR|READONLY|PERM|CANTOPEN)/);
    expect((await http(relay.origin, 'GET', '/healthz')).status).toBe(200);
    // Commits write only the WAL: delivery goes on while the file stays read-only.
    await traffic.send();
    setImmutable(db, false);
    expect(relay.output()).not.toContain('Cannot read properties');
    expect(await relay.stop('SIGTERM')).toBe(0);
  });
});
