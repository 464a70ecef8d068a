/**
 * The relay command run to completion (`node --import tsx relay/main.ts`), for start-up failures:
 * its exit status, output and how long it took. A relay that does not exit within `timeoutMs` is
 * killed and reported with status null (a hang).
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../../..');

export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

export function runRelay(env: Readonly<Record<string, string>>, timeoutMs = 20_000): CliRun {
  const started = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'relay/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', ...env },
    encoding: 'utf8',
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - started };
}
