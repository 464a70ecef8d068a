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

/**
 * A log field for any thrown value, at most `max` characters: an error's code and message when it
 * has them (a value from a worker thread may have neither; issue #10 item 10), never a throw.
 */
export function errorText(error: unknown, max = 200): string {
  const fields = typeof error === 'object' && error !== null ? (error as Record<string, unknown>) : {};
  const message = typeof fields['message'] === 'string' ? fields['message'] : '';
  const code = typeof fields['code'] === 'string' && !message.includes(fields['code']) ? `${fields['code']}: ` : '';
  const text =
    `${code}${message}` || (typeof error === 'string' || typeof error === 'number' ? String(error) : 'unknown error');
  return text.slice(0, max);
}
