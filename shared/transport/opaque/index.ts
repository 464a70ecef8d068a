/** The agent apps' OPAQUE client (imports @serenity-kit/opaque: only agent apps, tests and scripts import this unit). */
export { serenityOpaqueClient } from './serenity-opaque.js';
