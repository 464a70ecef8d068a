/** The agent apps' OPAQUE client (imports @serenity-kit/opaque: never import this from the widget). */
export { type KeyStretching, serenityOpaqueClient } from './serenity-opaque.js';
