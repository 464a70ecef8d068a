/**
 * Structured JSON logs, one object per line on stdout. Callers pass only counters, ids, codes and
 * sizes: never envelope bodies, keys, capabilities or tokens (docs/OPERATIONS.md, "Logs").
 */
import type { LogLevel } from './config.js';

export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

const RANK: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

export function createLogger(min: LogLevel, write: (line: string) => void): Logger {
  const emit = (level: LogLevel, event: string, fields: LogFields = {}): void => {
    if (RANK[level] < RANK[min]) return;
    write(`${JSON.stringify({ time: new Date().toISOString(), level, event, ...fields })}\n`);
  };
  return {
    debug: (event, fields) => {
      emit('debug', event, fields);
    },
    info: (event, fields) => {
      emit('info', event, fields);
    },
    warn: (event, fields) => {
      emit('warn', event, fields);
    },
    error: (event, fields) => {
      emit('error', event, fields);
    },
  };
}
