/** main.ts's side of the IPC channel: one command at a time, each answered by one reply. */
import { BenchError } from './bench-error.js';
import { type Command, type Reply, asReply } from './ipc.js';
import type { Child } from './servers.js';

/** Provisioning thousands of accounts, devices or conversations waits on one fsync each. */
const SLOW_COMMANDS: readonly string[] = ['provision', 'idle-prepare'];
const REPLY_TIMEOUT_MS = 120_000;
const SLOW_REPLY_TIMEOUT_MS = 600_000;

export class GeneratorChannel {
  readonly #child: Child;

  constructor(child: Child) {
    this.#child = child;
  }

  /** Sends a command and returns the reply of the expected kind; BenchError on anything else. */
  async ask<K extends Exclude<Reply['kind'], 'error'>>(
    command: Command,
    expect: K,
  ): Promise<Extract<Reply, { kind: K }>> {
    const proc = this.#child.process;
    const timeoutMs = SLOW_COMMANDS.includes(command.kind) ? SLOW_REPLY_TIMEOUT_MS : REPLY_TIMEOUT_MS;
    const reply = await new Promise<Reply>((resolve, reject) => {
      const cleanup = (): void => {
        clearTimeout(timer);
        proc.off('message', onMessage);
        proc.off('exit', onExit);
      };
      const onMessage = (raw: unknown): void => {
        cleanup();
        try {
          resolve(asReply(raw));
        } catch (error) {
          reject(error instanceof Error ? error : new BenchError('bad reply'));
        }
      };
      const onExit = (code: number | null): void => {
        cleanup();
        reject(
          new BenchError(
            `the load generator exited (${code ?? 'signal'}) during ${command.kind}:\n${this.#child.tail()}`,
          ),
        );
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new BenchError(`the load generator did not answer ${command.kind} within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      proc.on('message', onMessage);
      proc.on('exit', onExit);
      proc.send(command);
    });
    if (reply.kind === 'error') throw new BenchError(`load generator, ${command.kind}: ${reply.message}`);
    if (reply.kind !== expect) throw new BenchError(`expected ${expect}, got ${reply.kind}`);
    return reply as Extract<Reply, { kind: K }>;
  }
}
