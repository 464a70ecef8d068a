/**
 * Health, metrics, and the placeholders for the PWA and demo page (served by later issues; until
 * then they answer 503 with a JSON message).
 */
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
  route('GET', '/(?:app(?:/.*)?)?', ({ res }) => {
    sendJson(res, 503, {
      error: 'not-built-yet',
      message: 'the agent PWA is not built yet; it arrives with its own issue',
    });
    return Promise.resolve();
  }),
  route('GET', '/demo(?:/.*)?', ({ res }) => {
    sendJson(res, 503, {
      error: 'not-built-yet',
      message: 'the demo page with the widget is not built yet; it arrives with the widget issue',
    });
    return Promise.resolve();
  }),
];
