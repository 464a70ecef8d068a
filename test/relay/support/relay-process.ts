/**
 * Runs the real relay as a child process (`node --import tsx relay/main.ts`, or a compiled bundle
 * given as `entry`: support/relay-build.ts) on PORT=0 with a temporary data directory, and parses
 * the URL it prints. Tests kill it by pid.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../../..');

export interface RelayProcess {
  readonly origin: string;
  readonly wsUrl: string;
  readonly dataDir: string;
  readonly child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Sends `signal` to the pid and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function makeDataDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'sealdesk-relay-'));
  return {
    dir,
    remove: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function startRelayProcess(
  dataDir: string,
  env: Readonly<Record<string, string>> = {},
  port = 0,
  entry?: string,
): Promise<RelayProcess> {
  const args = entry === undefined ? ['--import', 'tsx', 'relay/main.ts'] : ['--enable-source-maps', entry];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      SEALDESK_DATA_DIR: dataDir,
      SEALDESK_LOG_LEVEL: 'debug',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((done) => {
    child.once('exit', (code) => {
      done(code);
    });
  });
  const origin = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => {
      fail(new Error(`relay did not start:\n${text}`));
    }, 20_000);
    const check = (): void => {
      const m = /listening on (http:\/\/\S+)/.exec(text);
      if (m?.[1] !== undefined) {
        clearTimeout(timer);
        done(m[1]);
      }
    };
    child.stdout.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      fail(new Error(`relay exited with ${String(code)}:\n${text}`));
    });
  });
  return {
    origin,
    wsUrl: `${origin.replace(/^http/, 'ws')}/v1/ws`,
    dataDir,
    child,
    output: () => text,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined)
        process.kill(child.pid, signal);
      return exited;
    },
  };
}
