/**
 * Child processes of the benchmark: the bare forwarder, the relay and the load generator, each
 * its own Node process (TypeScript through tsx's loader, so the pid is the node process itself).
 * Every child is recorded here and killed by pid on stop, on error and on SIGINT.
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { BenchError } from './bench-error.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HERE = fileURLToPath(new URL('./', import.meta.url));
const TSX = ['--import', 'tsx'];
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;

export interface Child {
  readonly name: string;
  readonly pid: number;
  readonly process: ChildProcess;
  /** The last lines the child printed (for error messages). */
  tail(): string;
}

const running = new Set<Child>();

function track(name: string, child: ChildProcess): Child {
  if (child.pid === undefined) throw new BenchError(`${name} did not start`);
  const lines: string[] = [];
  const keep = (chunk: Buffer): void => {
    lines.push(
      ...chunk
        .toString('utf8')
        .split('\n')
        .filter((l) => l.length > 0),
    );
    if (lines.length > 40) lines.splice(0, lines.length - 40);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const handle: Child = { name, pid: child.pid, process: child, tail: () => lines.join('\n') };
  running.add(handle);
  child.once('exit', () => running.delete(handle));
  return handle;
}

/** SIGTERM, then SIGKILL after a grace period; resolves when the process is gone. */
export async function stop(child: Child): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) {
    running.delete(child);
    return;
  }
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      process.kill(child.pid, 'SIGKILL');
    }, STOP_TIMEOUT_MS);
    child.process.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    process.kill(child.pid, 'SIGTERM');
  });
  running.delete(child);
}

/** Kills every child still running (synchronously usable from a signal handler). */
export function killAll(): void {
  for (const child of running) {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  running.clear();
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

async function waitFor(what: string, child: Child, ready: () => Promise<boolean>): Promise<void> {
  const deadline = performance.now() + START_TIMEOUT_MS;
  while (performance.now() < deadline) {
    if (child.process.exitCode !== null)
      throw new BenchError(`${what} exited with ${child.process.exitCode}:\n${child.tail()}`);
    if (await ready()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new BenchError(`${what} did not become ready in ${START_TIMEOUT_MS / 1000} s:\n${child.tail()}`);
}

export async function startBare(): Promise<{ child: Child; url: string }> {
  const port = await freePort();
  const child = track(
    'bare',
    spawn(process.execPath, [...TSX, `${HERE}bare-forwarder.ts`], {
      cwd: REPO_ROOT,
      env: { ...process.env, BENCH_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  await waitFor('bare forwarder', child, () => Promise.resolve(/"port":\d+/.test(child.tail())));
  return { child, url: `ws://127.0.0.1:${port}` };
}

/**
 * The real relay (`relay/main.ts`, SQLite in `dataDir`), configured only through its documented
 * environment variables. Limits meant for abuse are raised so the benchmark measures capacity:
 * the per-connection frame rate (50/s by default) and conversations per visitor address per hour
 * (every benchmark visitor comes from 127.0.0.1). Devices per account keep their default cap.
 */
export async function startRelay(
  dataDir: string,
  nodeOptions: readonly string[] = [],
  extraEnv: Readonly<Record<string, string>> = {},
  name = 'relay',
): Promise<{ child: Child; origin: string; wsUrl: string }> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const child = track(
    name,
    spawn(process.execPath, [...nodeOptions, ...TSX, 'relay/main.ts'], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        HOST: '127.0.0.1',
        PORT: String(port),
        SEALDESK_DATA_DIR: dataDir,
        SEALDESK_LOG_LEVEL: 'warn',
        SEALDESK_MESSAGES_PER_SECOND: '1000000',
        SEALDESK_CONVERSATIONS_PER_HOUR: '1000000',
        SEALDESK_REGISTRATIONS_PER_HOUR: '1000000',
        SEALDESK_CHALLENGES_PER_MINUTE: '1000000',
        SEALDESK_PENDING_REQUESTS_PER_ADDRESS: '1000000',
        ...extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  await waitFor(name, child, async () => {
    try {
      return (await fetch(`${origin}/healthz`)).ok;
    } catch {
      return false;
    }
  });
  return { child, origin, wsUrl: `ws://127.0.0.1:${port}/v1/ws` };
}

export function forkLoadGenerator(): Child {
  return track(
    'load generator',
    fork(`${HERE}load-generator.ts`, [], {
      cwd: REPO_ROOT,
      execArgv: TSX,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    }),
  );
}
