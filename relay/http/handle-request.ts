/** Dispatches one HTTP request to its route and turns failures into JSON errors. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RelayContext } from '../context.js';
import { HttpError } from '../errors.js';
import { requestPath } from './request-path.js';
import { sendJson } from './respond.js';
import { applyCors } from './cors.js';
import { type Route, match } from './router.js';

export async function handleRequest(
  routes: readonly Route[],
  ctx: RelayContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const started = ctx.now();
  const method = req.method ?? 'GET';
  let pathname = '/';
  try {
    const path = requestPath(req.url);
    if (path === undefined) throw new HttpError(400, 'bad-request', 'the request target is not a path');
    pathname = path;
    if (applyCors(req, res, method, pathname)) {
      ctx.metrics.http(res.statusCode);
      return;
    }
    const found = match(routes, method, pathname);
    if (found === undefined) throw new HttpError(404, 'not-found', `no route for ${method} ${pathname}`);
    if ('allowed' in found) {
      res.setHeader('allow', found.allowed.join(', '));
      throw new HttpError(405, 'method-not-allowed', `use ${found.allowed.join(' or ')}`);
    }
    await found.route.handle({ req, res, ctx, params: found.params });
  } catch (error) {
    const known = error instanceof HttpError;
    if (!known)
      ctx.log.error('http.failed', { method, path: pathname, error: error instanceof Error ? error.name : 'unknown' });
    if (known) ctx.metrics.reject(error.code);
    if (!res.headersSent) {
      const status = known ? error.status : 500;
      const body = known
        ? { error: error.code, message: error.message, ...error.extra }
        : { error: 'internal', message: 'the relay failed; retry later' };
      if (status === 413) res.setHeader('connection', 'close');
      sendJson(res, status, body);
    } else {
      res.destroy();
    }
  }
  ctx.metrics.http(res.statusCode);
  // Paths hold only ids (never tokens or capabilities); no query string is logged.
  ctx.log.debug('http.request', { method, path: pathname, status: res.statusCode, ms: ctx.now() - started });
}
