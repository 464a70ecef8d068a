/** Launches one of the three engines (engine.ts) by name. */
import type { EngineBrowser, EngineName } from './engine.js';
import { launchChromiumEngine, launchFirefoxEngine } from './puppeteer-engines.js';
import { launchWebkitEngine } from './webkit.js';

export {
  ENGINES,
  KEYS,
  waitInPage,
  type EngineBrowser,
  type EngineName,
  type EnginePage,
  type Json,
  type Key,
} from './engine.js';

export function launchEngine(engine: EngineName): Promise<EngineBrowser> {
  if (engine === 'chromium') return launchChromiumEngine();
  if (engine === 'firefox') return launchFirefoxEngine();
  return launchWebkitEngine();
}
