/**
 * `npm start` / `tsx relay/main.ts [--help]`: runs the Sealdesk relay with settings from the
 * environment (docs/OPERATIONS.md), prints the URLs it serves, and shuts down gracefully on
 * SIGINT/SIGTERM (stop accepting, commit pending frames, close the database).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ENV_VARS, loadConfig } from './config.js';
import { createLogger } from './log.js';
import { startRelay, WS_PATH } from './server.js';
import { SealdeskError } from '../shared/wire/index.js';

function help(): string {
  const width = Math.max(...Object.keys(ENV_VARS).map((k) => k.length));
  const lines = Object.entries(ENV_VARS).map(
    ([name, v]) => `  ${name.padEnd(width)}  ${v.help} (${v.fallback === '' ? 'unset' : `default ${v.fallback}`})`,
  );
  return [
    'Usage: relay [--help]     (npm start)',
    '',
    'Runs the Sealdesk relay: HTTP API + WebSocket store-and-forward for end-to-end encrypted chat,',
    'with an embedded SQLite database, or as one of several nodes on PostgreSQL (DATABASE_URL) with',
    'NATS or Redis between them. The relay never sees plaintext, keys or passwords.',
    '',
    'Environment variables:',
    ...lines,
    '',
    'See docs/OPERATIONS.md for endpoints, metrics, logs and backups.',
    '',
  ].join('\n');
}

/** A note after a URL whose files are not built (they answer 503 until `npm run build`). */
function built(staticDir: string, folder: string): string {
  return existsSync(join(staticDir, folder)) ? '' : '  (not built: npm run build)';
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(help());
    return 0;
  }
  const unknown = argv.filter((a) => a !== '--');
  if (unknown.length > 0) {
    process.stderr.write(
      `relay: unknown argument ${unknown[0] ?? ''}; settings come from environment variables (see --help)\n`,
    );
    return 2;
  }
  const config = loadConfig(process.env);
  const log = createLogger(config.logLevel, (line) => process.stdout.write(line));
  const relay = await startRelay(config, log);
  // Handlers before the URLs are printed: a supervisor (or a test) that stops the relay as soon as
  // it reads them must not find SIGTERM's default action (an exit by signal, nothing closed).
  const stopped = new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      log.info('relay.stopping', { signal });
      resolve();
    };
    process.once('SIGINT', () => {
      stop('SIGINT');
    });
    process.once('SIGTERM', () => {
      stop('SIGTERM');
    });
  });
  const ws = relay.origin.replace(/^http/, 'ws');
  process.stdout.write(
    [
      `Sealdesk relay listening on ${relay.origin}`,
      `  health     ${relay.origin}/healthz`,
      `  metrics    ${relay.origin}/metrics`,
      `  API        ${relay.origin}/v1/`,
      `  WebSocket  ${ws}${WS_PATH}`,
      `  agent app  ${relay.origin}/app/${built(config.staticDir, 'pwa')}`,
      `  demo shop  ${relay.origin}/demo/${built(config.staticDir, 'demo')}`,
      `  widget     ${relay.origin}/widget/  (snippet: npm run snippet -- --help)${built(config.staticDir, 'widget')}`,
      `  data       ${config.dataDir}`,
      '',
    ].join('\n'),
  );
  log.info('relay.started', { origin: relay.origin, dataDir: config.dataDir });
  await stopped;
  await relay.close();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Operator mistakes (bad env var, unusable data dir) get one clear line, not a stack trace.
    // A failed listen is a SealdeskError naming HOST and PORT (server.ts).
    if (error instanceof SealdeskError) process.stderr.write(`relay: ${error.message}\n`);
    else process.stderr.write(`relay: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
