/** The relay as an operator runs it: --help, bad settings, URLs printed, graceful SIGTERM. */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeDataDir, startRelayProcess } from './support/relay-process.js';
import {
  connectVisitor,
  enrolDevice,
  envelope,
  http,
  openConversation,
  registerAndLogin,
} from './support/relay-api.js';

const ROOT = resolve(import.meta.dirname, '../..');

function run(
  args: string[],
  env: Record<string, string> = {},
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'relay/main.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('relay command line', () => {
  const data = makeDataDir();
  afterAll(() => {
    data.remove();
  });

  it('prints options and environment variables for --help', () => {
    const r = run(['--help']);
    expect(r.status).toBe(0);
    for (const name of [
      'HOST',
      'PORT',
      'SEALDESK_DATA_DIR',
      'SEALDESK_RETENTION_SECONDS',
      'SEALDESK_MESSAGES_PER_SECOND',
    ])
      expect(r.stdout).toContain(name);
  });

  it('refuses a bad setting with one actionable line and no stack trace', () => {
    const r = run([], { PORT: 'eighty', SEALDESK_DATA_DIR: data.dir });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe('relay: PORT must be a whole number, got "eighty"');
    expect(run(['--verbose']).status).toBe(2);
    const small = run([], {
      SEALDESK_UPLOAD_MEMORY_BYTES: '1000',
      SEALDESK_MAX_ATTACHMENT_BYTES: '2000',
      SEALDESK_DATA_DIR: data.dir,
    });
    expect(small.status).toBe(1);
    expect(small.stderr).toContain(
      'SEALDESK_UPLOAD_MEMORY_BYTES (1000) must be at least SEALDESK_MAX_ATTACHMENT_BYTES (2000)',
    );
  });

  it('prints its URLs, and on SIGTERM commits, closes the database and exits 0', async () => {
    const relay = await startRelayProcess(data.dir);
    try {
      expect(relay.output()).toMatch(/WebSocket\s+ws:\/\/127\.0\.0\.1:\d+\/v1\/ws/);
      const account = await registerAndLogin(relay.origin, 'ops@example.test');
      const agent = await enrolDevice(relay.origin, account);
      const conversation = await openConversation(relay.origin, account.accountId);
      const visitor = await connectVisitor(relay.wsUrl, conversation);
      visitor.send({
        type: 'send',
        requestId: 1,
        envelope: envelope(conversation.conversationId, { device: agent.deviceId }, new Uint8Array([1])),
      });
      await visitor.until((f) => f.some((x) => x.type === 'stored'), 'stored');
      expect((await http(relay.origin, 'GET', '/healthz')).json['connections']).toBe(1);
      expect(await relay.stop('SIGTERM')).toBe(0);
      await visitor.until(() => visitor.closeCode !== undefined, 'closed');
      expect(visitor.closeCode).toBe(1001);
      expect(relay.output()).toContain('"event":"relay.stopped"');
    } finally {
      await relay.stop('SIGKILL');
    }
    // The database was closed cleanly: the next start opens it and still has the account.
    const again = await startRelayProcess(data.dir);
    try {
      const taken = await http(again.origin, 'POST', '/v1/auth/register/finish', {
        json: { username: 'ops@example.test', registrationRecord: 'x' },
      });
      expect(taken.status).toBe(409);
    } finally {
      await again.stop('SIGKILL');
    }
  });
});
