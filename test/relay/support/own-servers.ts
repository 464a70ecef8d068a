/**
 * Throwaway servers a fault test may stop and start again without touching the machine's shared
 * ones: nats-server, redis-server and a PostgreSQL cluster (initdb in a temporary directory), each
 * on a free port of 127.0.0.1. Everything is ended by pid and its directory removed at the end.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const PG_BIN = '/usr/lib/postgresql/15/bin';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address === null || typeof address === 'string') reject(new Error('no port'));
        else resolve(address.port);
      });
    });
  });
}

/** Resolves once something accepts TCP connections on the port (or rejects after `timeoutMs`). */
export async function waitForPort(port: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => {
        resolve(false);
      });
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on port ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface OwnServer {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it for good and removes its files. */
  dispose(): Promise<void>;
}

/** A child process server that can be stopped (SIGTERM, by pid) and started again on the same port. */
function processServer(url: string, port: number, launch: () => ChildProcess, dir: string): OwnServer {
  let child: ChildProcess | undefined;
  const stop = async (): Promise<void> => {
    const c = child;
    child = undefined;
    if (c?.pid === undefined || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((resolve) => c.once('exit', resolve));
    process.kill(c.pid, 'SIGTERM');
    await exited;
  };
  return {
    url,
    port,
    stop,
    start: async () => {
      child = launch();
      await waitForPort(port);
    },
    dispose: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function startOwnNats(): Promise<OwnServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'sealdesk-nats-'));
  const server = processServer(
    `nats://127.0.0.1:${port}`,
    port,
    () => spawn('/usr/sbin/nats-server', ['-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' }),
    dir,
  );
  await server.start();
  return server;
}

export async function startOwnRedis(): Promise<OwnServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'sealdesk-redis-'));
  const server = processServer(
    `redis://127.0.0.1:${port}`,
    port,
    () =>
      spawn(
        'redis-server',
        ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir],
        { stdio: 'ignore' },
      ),
    dir,
  );
  await server.start();
  return server;
}

/**
 * A PostgreSQL cluster of its own (initdb, trust auth, fsync on as in production), run as the
 * postgres user when the tests run as root (initdb refuses root). Stopped with pg_ctl -m fast,
 * which ends every connection: what a restart of the server does to the relay nodes.
 */
export async function startOwnPostgres(): Promise<OwnServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'sealdesk-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) chownSync(dir, Number((await run('id', ['-u', 'postgres'])).stdout.trim()), -1);
  const pg = (tool: string, args: string[]): Promise<unknown> =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(PG_BIN, tool), ...args]) : run(join(PG_BIN, tool), args);
  const data = join(dir, 'data');
  await pg('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const ctl = (args: string[]): Promise<unknown> => pg('pg_ctl', ['-D', data, '-w', ...args]);
  const start = async (): Promise<void> => {
    await ctl(['-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`, '-l', join(dir, 'log'), 'start']);
    await waitForPort(port);
  };
  const stop = async (): Promise<void> => {
    await ctl(['-m', 'fast', 'stop']).catch(() => undefined);
  };
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start,
    stop,
    dispose: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
