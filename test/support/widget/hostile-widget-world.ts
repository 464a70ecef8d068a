/**
 * TEST CODE ONLY: the widget's world (widget-world.ts) with the hostile proxy (hostile-proxy.ts) in
 * front of the real relay process: the demo shop's product widget and the business's agent runtime
 * both talk to the relay only through the proxy (issue #16 item 2, in browsers). Page helpers read
 * what a person sees in the widget: the log, the alerts' titles, the screen shown instead of the chat.
 */
import { readFile } from 'node:fs/promises';
import { join, normalize, sep } from 'node:path';
import type { AgentEvents } from '../../../shared/runtime/index.js';
import { waitFor } from '../../runtime/support/runtime-world.js';
import { type EnginePage, waitInPage } from '../browsers/index.js';
import { type HttpExchange, type HttpReply, HostileProxy } from '../hostile-proxy.js';
import { type E2eBusiness, createE2eBusiness } from './e2e-business.js';
import { PROBES } from './page-probes.js';
import { startWidgetWorld, type WidgetWorld } from './widget-world.js';

export const IN_SHADOW = `document.querySelector('sealdesk-chat').shadowRoot`;
/** What a forger would like the visitor to read; no test may ever find it on a page. */
export const ATTACKER_TEXT = 'Pay the refund to IBAN XX00 EVIL';

export interface HostileWidgetWorld {
  readonly world: WidgetWorld;
  readonly proxy: HostileProxy;
  /** The business behind the widget: its agent runtime talks through the proxy. */
  readonly business: E2eBusiness;
  /** The demo shop embedding the product widget for the business, the relay being the proxy. */
  shopUrl(params?: Readonly<Record<string, string>>): string;
  close(): Promise<void>;
}

export async function startHostileWidgetWorld(): Promise<HostileWidgetWorld> {
  let proxy: HostileProxy | undefined;
  const world = await startWidgetWorld({}, async (relayOrigin) => (proxy = await HostileProxy.start(relayOrigin)));
  if (proxy === undefined) throw new Error('the proxy did not start');
  const business = await createE2eBusiness(proxy.origin, 'Alder & Finch', 'Maya');
  return {
    world,
    proxy,
    business,
    shopUrl: (params = {}) =>
      world.demo('prod', { 'open-shadow': '', account: business.accountId, pin: business.pin, ...params }),
    async close() {
      business.dispose();
      await world.close();
    },
  };
}

/** The relay's answer with another body (status and headers kept, CORS included). */
export const replyWith = (exchange: HttpExchange, body: Uint8Array): HttpReply => ({ ...exchange, body });

/**
 * The product widget's files as the proxy serves them under /prod/ (a hosted widget): read from the
 * build, the chat chunk with `tamper` applied when given. Undefined for every other path.
 */
export async function servedWidgetFile(
  world: WidgetWorld,
  path: string,
  tamper?: (chunk: string) => string,
): Promise<HttpReply | undefined> {
  const m = /^\/prod\/([^?]+)/.exec(path);
  if (m === null) return undefined;
  const full = normalize(join(world.prodDir, m[1] ?? ''));
  if (!full.startsWith(world.prodDir + sep)) return undefined;
  let text = await readFile(full, 'utf8');
  if (tamper !== undefined && m[1] === world.prod.chat.file) text = tamper(text);
  const type = full.endsWith('.html') ? 'text/html; charset=utf-8' : 'text/javascript; charset=utf-8';
  return {
    status: 200,
    headers: { 'content-type': type, 'access-control-allow-origin': '*', 'cache-control': 'no-store' },
    body: new TextEncoder().encode(text),
  };
}

/** Loads `url` and opens the chat from its launcher. */
export async function openShop(page: EnginePage, url: string): Promise<void> {
  await page.goto(url);
  const at = await waitInPage<[number, number]>(page, PROBES.launcherAt);
  await page.click(at[0], at[1]);
}

/** Waits until the chat is verified and the composer has the focus. */
export async function chatReady(page: EnginePage): Promise<void> {
  await waitInPage(page, PROBES.text, ['.verified']);
  await waitInPage(page, `() => ${IN_SHADOW}.activeElement?.tagName === 'TEXTAREA'`);
}

/** Waits until the screen shown instead of the chat (a refusal) is drawn; returns its text. */
export async function refusalShown(page: EnginePage): Promise<string> {
  await waitInPage(page, PROBES.text, ['.screen h3']);
  return page.run<string>(PROBES.text, '.screen');
}

export const logText = (page: EnginePage): Promise<string> => page.run<string>(PROBES.text, '.log');

/** How often `text` appears in the conversation log. */
export const timesShown = (page: EnginePage, text: string): Promise<number> =>
  page.run<number>(`(text) => ${IN_SHADOW}.querySelector('.log').textContent.split(text).length - 1`, text);

export async function logShows(page: EnginePage, text: string): Promise<void> {
  await waitInPage(page, `(text) => ${IN_SHADOW}.querySelector('.log')?.textContent.includes(text)`, [text], 30_000);
}

/** The titles of the alerts shown in the log, in order. */
export const alertsShown = (page: EnginePage): Promise<string[]> =>
  page.run<string[]>(`() => [...${IN_SHADOW}.querySelectorAll('.alert strong')].map((e) => e.textContent)`);

export async function alertShown(page: EnginePage, title: string): Promise<void> {
  await waitInPage(
    page,
    `(title) => [...${IN_SHADOW}.querySelectorAll('.alert strong')].some((e) => e.textContent === title)`,
    [title],
    30_000,
  );
}

/** The visitor types `text` and sends it; resolves once the business's agent runtime shows it. */
export async function visitorSays(page: EnginePage, business: E2eBusiness, text: string): Promise<string> {
  await page.type(text);
  await page.press('Enter');
  const isIt = (m: AgentEvents['message']): boolean => m.body.kind === 'text' && m.body.text === text;
  await waitFor(() => business.agent.events.of('message').some(isIt), `"${text}" at the agent`, 30_000);
  return business.agent.events.of('message').find(isIt)?.conversationId ?? '';
}
