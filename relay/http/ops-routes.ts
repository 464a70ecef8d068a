/** Health and metrics. (The built web files — /app/, /demo/, /widget/ — are in static-routes.ts.) */
import { sendJson, sendText } from './respond.js';
import { type Route, route } from './router.js';

export const opsRoutes: readonly Route[] = [
  route('GET', '/healthz', ({ res, ctx }) => {
    sendJson(res, 200, {
      status: 'ok',
      uptimeSeconds: Math.floor((ctx.now() - ctx.startedAt) / 1000),
      connections: ctx.metrics.connections,
    });
    return Promise.resolve();
  }),
  route('GET', '/metrics', async ({ res, ctx }) => {
    sendText(res, 200, ctx.metrics.render(await ctx.queueStats.get()), 'text/plain; version=0.0.4; charset=utf-8');
  }),
];
