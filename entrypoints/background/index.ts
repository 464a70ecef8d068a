// The MV3 background service worker (Firefox: event page). It hosts the agent runtime for the
// extension's pages; see start-background.ts. Nothing runs at module top level.
import { defineBackground } from 'wxt/utils/define-background';
import { startBackground } from './start-background.js';

export default defineBackground({ type: 'module', main: startBackground });
