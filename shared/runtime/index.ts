/** shared/runtime: the composition roots under the widget, the extension and the PWA (docs/ARCHITECTURE.md). */
export type * from './api-common.js';
export type * from './api-visitor.js';
export type * from './api-agent.js';
export { ALERT_SEVERITIES, CONNECTION_STATES, MESSAGE_STATUSES } from './api-common.js';
