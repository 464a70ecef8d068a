/**
 * Real Chromium and real Firefox ESR through puppeteer-core, kept off the network as toolchain.md
 * says: Chromium with the no-network flags and a host resolver that maps every name but 127.0.0.1 to
 * nothing; Firefox with the remote-settings pref and the environment variable it needs to honour it.
 * Each gets a fresh profile directory, removed on close.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { CHROMIUM_FLAGS } from '../chromium.js';
import type { EngineBrowser, EngineName } from './engine.js';
import { puppeteerPage } from './puppeteer-page.js';

export const CHROMIUM_OFFLINE_FLAGS = [...CHROMIUM_FLAGS, '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1'];

function executable(envName: string, fallback: string, install: string): string {
  const path = process.env[envName] ?? fallback;
  if (!existsSync(path)) throw new Error(`${path} not found: ${install} (or set ${envName})`);
  return path;
}

function wrap(engine: EngineName, browser: Browser, profile: string): EngineBrowser {
  return {
    engine,
    async newPage() {
      return puppeteerPage(engine, await browser.newPage());
    },
    async close() {
      await browser.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

export async function launchChromiumEngine(): Promise<EngineBrowser> {
  const profile = await mkdtemp(join(tmpdir(), 'sealdesk-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: executable('CHROMIUM_PATH', '/usr/bin/chromium', 'apt-get install -y chromium'),
    headless: true,
    userDataDir: profile,
    args: CHROMIUM_OFFLINE_FLAGS,
  });
  return wrap('chromium', browser, profile);
}

export async function launchFirefoxEngine(): Promise<EngineBrowser> {
  const profile = await mkdtemp(join(tmpdir(), 'sealdesk-firefox-'));
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: executable('FIREFOX_PATH', '/usr/bin/firefox-esr', 'apt-get install -y firefox-esr'),
    headless: true,
    userDataDir: profile,
    extraPrefsFirefox: { 'services.settings.server': 'http://127.0.0.1:9/off' },
    env: { ...process.env, MOZ_REMOTE_SETTINGS_DEVTOOLS: '1' },
  });
  return wrap('firefox', browser, profile);
}
