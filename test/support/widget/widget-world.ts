/**
 * TEST CODE ONLY: everything the widget's browser tests need, each on its own origin, as in the field:
 * - A: the real relay (a process) serving a test build of the widget (the chat on the scripted runtime)
 *   and the demo shop built for it at /widget/ and /demo/;
 * - W: a self-hosted copy of the PRODUCT build of the widget (/prod/) and a copy whose chat chunk was
 *   tampered with (/tampered/), with CORS;
 * - B: the customer's site: the demo shop pages, under a strict CSP (no inline script or style);
 *   `?open-shadow` adds a host-page script that records the shadow root mode and forces it open so
 *   tests can look inside; `?sibling` adds a third-party frame from C;
 * - C: an attacker's origin (a page that frames the business's chat frame, and the sibling frame).
 * With a `front` (the hostile proxy of test/support/hostile-proxy.ts), the pages' relay is the front.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDemo } from '../../../scripts/widget/build-demo.js';
import { buildWidget, type WidgetBuild } from '../../../scripts/widget/build-widget.js';
import { type RelayProcess, startRelayProcess } from '../../relay/support/relay-process.js';
import { type Answer, serveOrigin, type TestOrigin, TYPES } from './test-origin.js';

export const ACCOUNT = '0f'.repeat(16);
/** A well-formed pin (the scripted runtime does not check it; the real one will). */
export const PIN = '4ost sl3z jvqk 43br 7adq nv7h txn4 haui skco ct32 o2mh 3lfs b3wq';
const FACTORY = fileURLToPath(new URL('./scripted-runtime-factory.ts', import.meta.url));
const AXE = fileURLToPath(new URL('../../../node_modules/axe-core/axe.min.js', import.meta.url));

export const OPEN_SHADOW = `window.sealdeskShadowModes = [];
const attach = Element.prototype.attachShadow;
Element.prototype.attachShadow = function (init) {
  window.sealdeskShadowModes.push(init.mode);
  return attach.call(this, Object.assign({}, init, { mode: 'open' }));
};`;

/** Something in front of the relay (the hostile proxy): pages and widgets talk to its origin instead. */
export interface RelayFront {
  readonly origin: string;
  stop(): Promise<void>;
}

export interface WidgetWorld {
  readonly relay: RelayProcess;
  /** The relay's address as the pages use it: the front's origin when there is one, else the relay's. */
  readonly relayAddress: string;
  /** The directory of the product build's widget files (what /prod/ on W serves). */
  readonly prodDir: string;
  readonly widgets: TestOrigin;
  readonly host: TestOrigin;
  readonly attacker: TestOrigin;
  readonly scripted: WidgetBuild;
  readonly prod: WidgetBuild;
  /** The demo shop on B for a widget variant, with extra query parameters. */
  demo(variant: 'scripted' | 'prod' | 'tampered', params?: Readonly<Record<string, string>>): string;
  /** The business's frame page on A, as the loader addresses it for a page on B. */
  frameUrl(): string;
  close(): Promise<void>;
}

async function file(
  dir: string,
  path: string,
  headers: Readonly<Record<string, string>> = {},
): Promise<Answer | undefined> {
  const full = normalize(join(dir, path));
  if (!full.startsWith(dir + sep)) return undefined;
  try {
    const body = await readFile(full);
    return { body, type: TYPES[extname(full).slice(1)] ?? 'application/octet-stream', headers };
  } catch {
    return undefined;
  }
}

/** `relayEnv`: extra settings of the relay process (for example lower limits); `front`: started in front of it. */
export async function startWidgetWorld(
  relayEnv: Readonly<Record<string, string>> = {},
  front?: (relayOrigin: string) => Promise<RelayFront>,
): Promise<WidgetWorld> {
  const tmp = await mkdtemp(join(tmpdir(), 'sealdesk-widget-world-'));
  const scriptedDir = join(tmp, 'scripted');
  const scripted = await buildWidget({ outDir: join(scriptedDir, 'widget'), runtimeFactory: FACTORY });
  await buildDemo(join(scriptedDir, 'widget'), join(scriptedDir, 'demo'));
  const prod = await buildWidget({ outDir: join(tmp, 'prod', 'widget') });
  await buildDemo(join(tmp, 'prod', 'widget'), join(tmp, 'prod', 'demo'));
  await cp(join(tmp, 'prod', 'widget'), join(tmp, 'tampered', 'widget'), { recursive: true });
  const chatFile = join(tmp, 'tampered', 'widget', prod.chat.file);
  await writeFile(chatFile, `${await readFile(chatFile, 'utf8')}\n;window.sealdeskTampered = true;\n`);
  const dataDir = join(tmp, 'data');
  const relay = await startRelayProcess(dataDir, { ...relayEnv, SEALDESK_STATIC_DIR: scriptedDir });
  const inFront = await front?.(relay.origin);
  const relayAddress = inFront?.origin ?? relay.origin;

  const widgets = await serveOrigin((url) => {
    const m = /^\/(prod|tampered)\/(.+)$/.exec(url.pathname);
    if (m === null) return undefined;
    return file(join(tmp, m[1] ?? '', 'widget'), m[2] ?? '', { 'access-control-allow-origin': '*' });
  });
  const late: { attacker?: TestOrigin } = {};
  const host = await serveOrigin(async (url) => {
    const a = relay.origin;
    const f = relayAddress;
    const csp = [
      "default-src 'none'",
      `script-src 'self' ${a} ${f} ${widgets.origin}`,
      "style-src 'self'",
      "img-src 'self' blob: data:",
      `connect-src ${a} ${a.replace('http', 'ws')} ${f} ${f.replace('http', 'ws')}`,
      `frame-src ${a} ${late.attacker?.origin ?? ''}`,
      "base-uri 'none'",
    ].join('; ');
    if (url.pathname === '/open-shadow.js') return { body: OPEN_SHADOW, type: TYPES['js'] ?? '' };
    if (url.pathname === '/axe.min.js') return { body: await readFile(AXE), type: TYPES['js'] ?? '' };
    const m = /^\/(scripted|prod)\/(.*)$/.exec(url.pathname);
    if (m === null) return undefined;
    const found = await file(join(tmp, m[1] ?? '', 'demo'), m[2] === '' ? 'index.html' : (m[2] ?? ''), {
      'content-security-policy': csp,
    });
    if (!found?.type.startsWith('text/html')) return found;
    let html = found.body.toString();
    if (url.searchParams.has('open-shadow'))
      html = html.replace('<head>', '<head><script src="/open-shadow.js"></script>');
    if (url.searchParams.has('sibling'))
      html = html.replace(
        '</body>',
        `<iframe src="${late.attacker?.origin ?? ''}/sibling.html" title="Advertisement" width="1" height="1"></iframe></body>`,
      );
    return { ...found, body: html };
  });
  const frameUrl = (): string =>
    `${relay.origin}/widget/frame.html#${new URLSearchParams({ relay: relay.origin, account: ACCOUNT, pin: PIN, parent: host.origin }).toString()}`;
  const attacker = await serveOrigin((url) => {
    if (url.pathname === '/attacker.html')
      return {
        type: TYPES['html'] ?? '',
        body: '<!doctype html><title>attacker</title><script src="/attacker.js"></script>',
      };
    if (url.pathname === '/attacker.js')
      return {
        type: TYPES['js'] ?? '',
        // The frame is made here, so the load listener is in place before it can load.
        body: `window.attackerReplies = [];
const chat = document.createElement('iframe');
chat.addEventListener('load', () => {
  const channel = new MessageChannel();
  channel.port1.onmessage = (e) => window.attackerReplies.push(e.data);
  chat.contentWindow.postMessage({ sealdesk: 'connect', version: 1 }, '*', [channel.port2]);
  window.attackerSent = true;
});
chat.src = ${JSON.stringify(frameUrl())};
document.documentElement.append(chat);`,
      };
    if (url.pathname === '/sibling.html')
      return { type: TYPES['html'] ?? '', body: '<!doctype html><title>ad</title><p>ad</p>' };
    return undefined;
  });
  late.attacker = attacker;
  return {
    relay,
    relayAddress,
    prodDir: join(tmp, 'prod', 'widget'),
    widgets,
    host,
    attacker,
    scripted,
    prod,
    demo(variant, params = {}) {
      const query = new URLSearchParams({ relay: relayAddress, account: ACCOUNT, pin: PIN, ...params });
      if (variant !== 'scripted' && !query.has('widget')) query.set('widget', `${widgets.origin}/${variant}/`);
      return `${host.origin}/${variant === 'scripted' ? 'scripted' : 'prod'}/?${query.toString()}`;
    },
    frameUrl,
    async close() {
      await Promise.all([widgets.close(), host.close(), attacker.close()]);
      await inFront?.stop();
      await relay.stop();
      await rm(tmp, { recursive: true, force: true });
    },
  };
}
