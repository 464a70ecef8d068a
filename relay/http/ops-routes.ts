/** Health and metrics. (The built web files — /app/, /demo/, /widget/ — are in static-routes.ts.) */
import { sendJson, sendText } from './respond.js';
import { type Route, route } from './router.js';

const health: Route['handle'] = ({ res, ctx }) => {
  // For HEAD, Node sends the headers (content-length included) and drops the body.
  sendJson(res, 200, {
    status: 'ok',
    uptimeSeconds: Math.floor((ctx.now() - ctx.startedAt) / 1000),
    connections: ctx.metrics.connections,
  });
  return Promise.resolve();
};

export const opsRoutes: readonly Route[] = [
  route('GET', '/healthz', health),
  // Uptime checkers use HEAD (issue #10, "Also").
  route('HEAD', '/healthz', health),
  // The API root the start banner prints: what is where (docs/OPERATIONS.md "HTTP API").
  route('GET', '/v1/', ({ res }) => {
    sendJson(res, 200, {
      service: 'sealdesk-relay',
      api: 'v1',
      websocket: '/v1/ws',
      health: '/healthz',
      docs: 'docs/OPERATIONS.md (HTTP API) and docs/PROTOCOL.md §16',
    });
    return Promise.resolve();
  }),
  route('GET', '/metrics', async ({ res, ctx }) => {
    sendText(res, 200, ctx.metrics.render(await ctx.queueStats.get()), 'text/plain; version=0.0.4; charset=utf-8');
  }),
];
