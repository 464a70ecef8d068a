/**
 * CORS for the widget (issue #10, "Also"): the visitor widget runs on a customer's site, another
 * origin than the relay's, and calls exactly the routes below. They need no credentials — the
 * conversation capability travels in the Sealdesk-Capability header, never a cookie — so they
 * answer `Access-Control-Allow-Origin: *` and never `Allow-Credentials`. Every other route (account
 * sessions, devices, login, /metrics) sends no CORS header: the agent app is served from the relay's
 * own origin (/app/), and a page elsewhere cannot read or preflight them. WebSocket upgrades are
 * not subject to CORS.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ID } from './router.js';

interface VisitorRoute {
  readonly method: string;
  readonly path: RegExp;
}

const visitor = (method: string, path: string): VisitorRoute => ({ method, path: new RegExp(`^${path}$`) });

/** The routes the visitor widget uses (docs/OPERATIONS.md "HTTP API", marked "visitor"). */
export const VISITOR_ROUTES: readonly VisitorRoute[] = [
  visitor('POST', `/v1/accounts/${ID}/conversations`),
  visitor('GET', `/v1/accounts/${ID}/device-lists/(latest|\\d{1,9})`),
  visitor('GET', `/v1/accounts/${ID}/bundles`),
  visitor('POST', `/v1/accounts/${ID}/devices/${ID}/one-time-prekeys/claim`),
  visitor('GET', `/v1/accounts/${ID}/widget-config`),
  visitor('POST', `/v1/conversations/${ID}/attachments`),
  visitor('GET', `/v1/conversations/${ID}/attachments/${ID}`),
  // The upload under the sender's own id (PROTOCOL §8.2), the one the runtime uses.
  visitor('PUT', `/v1/conversations/${ID}/attachments/${ID}`),
];

const ALLOW_HEADERS = 'content-type, sealdesk-capability';
/** Headers of visitor answers a page may read (the device-list version, a 429's wait). */
const EXPOSE_HEADERS = 'sealdesk-version, retry-after';
const PREFLIGHT_MAX_AGE_SECONDS = 600;

function methodsAt(pathname: string): string[] {
  return VISITOR_ROUTES.filter((r) => r.path.test(pathname)).map((r) => r.method);
}

/**
 * Answers a preflight for a visitor route (204, true), or adds the CORS headers to a visitor
 * request's answer (false: go on routing). Anything else is left alone.
 */
export function applyCors(req: IncomingMessage, res: ServerResponse, method: string, pathname: string): boolean {
  const methods = methodsAt(pathname);
  if (methods.length === 0) return false;
  if (method === 'OPTIONS') {
    // Only a preflight for a method the visitor uses here; anything else is routed (405).
    const asked = req.headers['access-control-request-method'];
    if (typeof asked !== 'string' || !methods.includes(asked)) return false;
    res.writeHead(204, {
      'access-control-allow-origin': '*',
      'access-control-allow-methods': methods.join(', '),
      'access-control-allow-headers': ALLOW_HEADERS,
      'access-control-max-age': String(PREFLIGHT_MAX_AGE_SECONDS),
      'content-length': 0,
    });
    res.end();
    return true;
  }
  if (methods.includes(method) && req.headers.origin !== undefined) {
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('access-control-expose-headers', EXPOSE_HEADERS);
  }
  return false;
}
