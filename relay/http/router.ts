/** A table of routes: method + anchored path regex. Captured groups become `params`. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RelayContext } from '../context.js';
import { HttpError } from '../errors.js';

export interface RouteRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly params: readonly string[];
  readonly ctx: RelayContext;
}

export interface Route {
  readonly method: string;
  readonly path: RegExp;
  readonly handle: (request: RouteRequest) => Promise<void>;
}

/** Hex id path segment (16-byte ids, docs/PROTOCOL.md §2.4). */
export const ID = '([0-9a-f]{32})';

export function route(method: string, path: string, handle: Route['handle']): Route {
  return { method, path: new RegExp(`^${path}$`), handle };
}

export type Match = { readonly route: Route; readonly params: string[] } | { readonly allowed: string[] } | undefined;

export function match(routes: readonly Route[], method: string, pathname: string): Match {
  const allowed: string[] = [];
  for (const r of routes) {
    const m = r.path.exec(pathname);
    if (m === null) continue;
    if (r.method === method) return { route: r, params: m.slice(1).map((p) => p) };
    allowed.push(r.method);
  }
  return allowed.length > 0 ? { allowed } : undefined;
}

/** The i-th captured path parameter (always present when the route matched). */
export function param(params: readonly string[], i: number): string {
  const value = params[i];
  if (value === undefined) throw new HttpError(404, 'not-found', 'no such resource');
  return value;
}
