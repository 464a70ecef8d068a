/**
 * Issue #10 item 12: a 0-byte or missing relay.sqlite in a data directory that shows an earlier
 * install is never re-created as a new install: the relay refuses to start and says how to
 * restore; restoring the backup then brings everything back. Real relay processes, real files.
 */
import { copyFileSync, existsSync, rmSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeDataDir, startRelayProcess } from './support/relay-process.js';
import { runRelay } from './support/relay-cli.js';
import { FILL_ENV, fillInstall } from './support/filled-relay.js';
import { connectDevice } from './support/relay-api.js';

describe('#10.12: an emptied or lost database is not re-created over an earlier install', () => {
  const data = makeDataDir();
  afterAll(() => {
    data.remove();
  });

  it('#10.12: a 0-byte relay.sqlite is refused (file kept as it is); restoring the backup brings the queue back', async () => {
    const dir = join(data.dir, 'empty');
    const filled = await fillInstall(dir, 300);
    const db = join(dir, 'relay.sqlite');
    const backup = join(data.dir, 'backup.sqlite');
    copyFileSync(db, backup);
    truncateSync(db, 0);
    const r = runRelay({ SEALDESK_DATA_DIR: dir }, 15_000);
    expect(r.status, `the relay started on an emptied database:\n${r.stdout}${r.stderr}`).toBe(1);
    const line = r.stderr.trim();
    expect(line.split('\n')).toHaveLength(1);
    expect(line).toContain(`${db} (SEALDESK_DATA_DIR=${dir}) is empty (0 bytes)`);
    expect(line).toContain('earlier install');
    expect(line).toContain('Restoring');
    expect(statSync(db).size).toBe(0);

    copyFileSync(backup, db);
    const relay = await startRelayProcess(dir, FILL_ENV);
    try {
      const device = await connectDevice(relay.wsUrl, filled.agent);
      await device.until((f) => f.filter((x) => x.type === 'deliver').length >= 300, '300 deliveries', 20_000);
      await device.close();
    } finally {
      await relay.stop('SIGKILL');
    }
  });

  it('#10.12 (sibling): a missing opaque-server-setup beside a database with accounts is refused, not re-created', async () => {
    const dir = join(data.dir, 'setup');
    await fillInstall(dir, 1);
    const setup = join(dir, 'opaque-server-setup');
    rmSync(setup);
    const r = runRelay({ SEALDESK_DATA_DIR: dir }, 15_000);
    expect(r.status, `the relay created a new OPAQUE setup:\n${r.stdout}${r.stderr}`).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`${setup} (SEALDESK_DATA_DIR=${dir}) is missing, but relay.sqlite holds 1 account`);
    expect(existsSync(setup)).toBe(false);
  });

  it('#10.12: a missing relay.sqlite beside opaque-server-setup and WAL files is refused', async () => {
    const dir = join(data.dir, 'missing');
    await fillInstall(dir, 5);
    rmSync(join(dir, 'relay.sqlite'));
    const r = runRelay({ SEALDESK_DATA_DIR: dir }, 15_000);
    expect(r.status, `the relay started as a new install:\n${r.stdout}${r.stderr}`).toBe(1);
    expect(r.stderr).toContain(`${join(dir, 'relay.sqlite')} (SEALDESK_DATA_DIR=${dir}) is missing`);
    expect(r.stderr).toContain('opaque-server-setup');
    expect(existsSync(join(dir, 'relay.sqlite'))).toBe(false);
  });
});
