/**
 * Issue #10, "Also": start-up mistakes through the real CLI. A failed listen exits promptly and
 * non-zero naming the variable; a second relay on one SEALDESK_DATA_DIR is refused; a data
 * directory that is a file or under /proc, and an empty HOST or SEALDESK_DATA_DIR, fail at once.
 */
import { createServer, type Server } from 'node:net';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeDataDir, startRelayProcess } from './support/relay-process.js';
import { runRelay } from './support/relay-cli.js';

/** Long enough for a cold tsx start; a hang runs into it and reports status null. */
const PROMPT_MS = 15_000;

function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0] ?? '';
}

describe('#10.also: relay start-up mistakes', () => {
  const data = makeDataDir();
  afterAll(() => {
    data.remove();
  });

  it('#10.also: a port in use exits non-zero at once naming PORT, with nothing left running', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const address = taken.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      const r = runRelay({ PORT: String(port), SEALDESK_DATA_DIR: join(data.dir, 'port') }, PROMPT_MS);
      expect(r.status, `relay hung or exited wrongly:\n${r.stdout}${r.stderr}`).toBe(1);
      expect(oneLine(r.stderr)).toMatch(new RegExp(`PORT=${String(port)}.*in use|in use.*PORT`));
      // Listen first: the database was never opened.
      expect(existsSync(join(data.dir, 'port', 'relay.sqlite'))).toBe(false);
    } finally {
      taken.close();
    }
    // What the failed start left (the lock file) is no sign of an install: the next start works.
    const relay = await startRelayProcess(join(data.dir, 'port'));
    expect(await relay.stop('SIGTERM')).toBe(0);
  });

  it('#10.also: HOST=999.1.1.1 exits non-zero at once naming HOST', () => {
    const r = runRelay({ HOST: '999.1.1.1', SEALDESK_DATA_DIR: join(data.dir, 'host') }, PROMPT_MS);
    expect(r.status, `relay hung or exited wrongly:\n${r.stdout}${r.stderr}`).toBe(1);
    expect(oneLine(r.stderr)).toContain('HOST=999.1.1.1');
    expect(existsSync(join(data.dir, 'host', 'relay.sqlite'))).toBe(false);
  });

  it('#10.also: an empty HOST= or SEALDESK_DATA_DIR= is an error, not the default', () => {
    const host = runRelay({ HOST: '', SEALDESK_DATA_DIR: join(data.dir, 'empty') }, PROMPT_MS);
    expect(host.status).toBe(1);
    expect(oneLine(host.stderr)).toMatch(/HOST is empty/);
    const dir = runRelay({ SEALDESK_DATA_DIR: '' }, PROMPT_MS);
    expect(dir.status).toBe(1);
    expect(oneLine(dir.stderr)).toMatch(/SEALDESK_DATA_DIR is empty/);
  });

  it('#10.also: SEALDESK_DATA_DIR naming a file, or under /proc, fails at once naming the variable', () => {
    const file = join(data.dir, 'a-file');
    writeFileSync(file, 'x');
    const onFile = runRelay({ SEALDESK_DATA_DIR: file }, PROMPT_MS);
    expect(onFile.status).toBe(1);
    expect(oneLine(onFile.stderr)).toContain(`SEALDESK_DATA_DIR=${file} is not a directory`);
    const underFile = runRelay({ SEALDESK_DATA_DIR: join(file, 'data') }, PROMPT_MS);
    expect(underFile.status).toBe(1);
    expect(oneLine(underFile.stderr)).toContain('SEALDESK_DATA_DIR=');
    // Node 20's recursive mkdirSync loops for ever under /proc.
    const proc = runRelay({ SEALDESK_DATA_DIR: '/proc/self/sealdesk-data' }, PROMPT_MS);
    expect(proc.status, `relay hung or exited wrongly:\n${proc.stdout}${proc.stderr}`).toBe(1);
    expect(oneLine(proc.stderr)).toContain('SEALDESK_DATA_DIR=/proc/self/sealdesk-data');
  });

  it('#10.also: a second relay on the same SEALDESK_DATA_DIR is refused with one clear line', async () => {
    const dir = join(data.dir, 'shared');
    const first = await startRelayProcess(dir);
    try {
      const second = runRelay({ SEALDESK_DATA_DIR: dir }, PROMPT_MS);
      expect(second.status).toBe(1);
      expect(oneLine(second.stderr)).toMatch(
        new RegExp(`another relay \\(pid ${String(first.child.pid)}\\) is using SEALDESK_DATA_DIR=${dir}`),
      );
      expect((await fetch(`${first.origin}/healthz`)).status).toBe(200);
    } finally {
      expect(await first.stop('SIGTERM')).toBe(0);
    }
    // The lock goes with the process: the next start takes it (also after a SIGKILL).
    const again = await startRelayProcess(dir);
    expect(await again.stop('SIGKILL')).toBe(null);
    const third = await startRelayProcess(dir);
    expect(await third.stop('SIGTERM')).toBe(0);
  });
});
