/**
 * Launches the machine's Chromium headless with the flags this closed network needs
 * (docs: toolchain facts): without them Chromium floods the network with failing requests.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';

export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Without it Chromium still calls out at start (time service, component updates, accounts).
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
] as const;

export function chromiumPath(): string {
  const path = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new Error(`Chromium not found at ${path}: install it (apt-get install -y chromium) or set CHROMIUM_PATH.`);
  }
  return path;
}

export interface LaunchedChromium {
  readonly browser: Browser;
  close(): Promise<void>;
}

export async function launchChromium(
  options: { enableExtensions?: boolean; extraArgs?: readonly string[] } = {},
): Promise<LaunchedChromium> {
  const userDataDir = await mkdtemp(join(tmpdir(), 'sealdesk-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    userDataDir,
    args: [...CHROMIUM_FLAGS, ...(options.extraArgs ?? [])],
    enableExtensions: options.enableExtensions ?? false,
  });
  return {
    browser,
    async close() {
      await browser.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}
