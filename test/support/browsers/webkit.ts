/**
 * Real WebKit: WebKitGTK's MiniBrowser through /usr/bin/WebKitWebDriver (classic W3C WebDriver over
 * HTTP, spoken with plain fetch), under its own Xvfb display (toolchain.md: without a display, POST
 * /session hangs). The driver is started as its own process group, so closing kills it and every
 * MiniBrowser/WebKit process it started, by that group's id; so does an exit of the test process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { KEYS, type EngineBrowser, type EnginePage, type Json, type Key } from './engine.js';

const DRIVER = process.env['WEBKIT_DRIVER_PATH'] ?? '/usr/bin/WebKitWebDriver';
const MINIBROWSER = process.env['WEBKIT_MINIBROWSER_PATH'] ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

const started = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of started) killGroup(child);
});

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

/** Xvfb on a display number it picks itself (-displayfd), so parallel runs do not collide. */
function startXvfb(): Promise<{ readonly child: ChildProcess; readonly display: string }> {
  const child = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    detached: true,
  });
  started.add(child);
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => {
      reject(new Error('Xvfb did not start (apt-get install -y xvfb)'));
    }, 10_000);
    child.once('error', reject);
    child.stdio[3]?.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const m = /^(\d+)\n/.exec(text);
      if (m?.[1] !== undefined) {
        clearTimeout(timer);
        resolve({ child, display: `:${m[1]}` });
      }
    });
  });
}

class WebDriver {
  constructor(private readonly base: string) {}

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await res.json()) as { value: unknown };
    if (!res.ok)
      throw new Error(`WebDriver ${method} ${path}: ${res.status} ${JSON.stringify(json.value).slice(0, 400)}`);
    return json.value as T;
  }
}

async function waitForDriver(driver: WebDriver): Promise<void> {
  const until = Date.now() + 20_000;
  for (;;) {
    try {
      const status = await driver.call<{ ready: boolean }>('GET', '/status');
      if (status.ready) return;
    } catch (error) {
      if (Date.now() > until)
        throw new Error('WebKitWebDriver did not answer (apt-get install -y webkit2gtk-driver)', { cause: error });
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** An async script that runs `fn(...args)` and reports `{ ok }` or `{ error }`. */
function script(fn: string, args: readonly Json[]): string {
  return `const done = arguments[arguments.length - 1];
Promise.resolve().then(() => (${fn})(...${JSON.stringify(args)})).then(
  (v) => done({ ok: v === undefined ? null : v }),
  (e) => done({ error: String((e && e.stack) || e) }));`;
}

const FIND_FRAME = `(prefix) => {
  const roots = [document];
  for (const el of document.querySelectorAll('*')) if (el.shadowRoot) roots.push(el.shadowRoot);
  for (const root of roots) for (const f of root.querySelectorAll('iframe')) if (f.src.startsWith(prefix)) return f;
  return null;
}`;

function page(driver: WebDriver, session: string): EnginePage {
  const s = `/session/${session}`;
  const execute = async <T>(fn: string, args: readonly Json[]): Promise<T> => {
    const result = await driver.call<{ ok?: T; error?: string }>('POST', `${s}/execute/async`, {
      script: script(fn, args),
      args: [],
    });
    if (result.error !== undefined) throw new Error(`in WebKit: ${result.error}`);
    return result.ok as T;
  };
  const actions = async (list: unknown[]): Promise<void> => {
    await driver.call('POST', `${s}/actions`, { actions: list });
    await driver.call('DELETE', `${s}/actions`);
  };
  return {
    engine: 'webkit',
    async goto(url) {
      await driver.call('POST', `${s}/url`, { url });
    },
    run: <T>(fn: string, ...args: readonly Json[]) => execute<T>(fn, args),
    async runInFrame<T>(prefix: string, fn: string, ...args: readonly Json[]): Promise<T> {
      const frame = await driver.call<{ ok?: Record<string, string> | null }>('POST', `${s}/execute/async`, {
        script: script(FIND_FRAME, [prefix]),
        args: [],
      });
      if (frame.ok?.[ELEMENT] === undefined) throw new Error(`no frame at ${prefix}`);
      await driver.call('POST', `${s}/frame`, { id: frame.ok });
      try {
        return await execute<T>(fn, args);
      } finally {
        await driver.call('POST', `${s}/frame/parent`, {});
      }
    },
    async click(x, y) {
      await actions([
        {
          type: 'pointer',
          id: 'mouse',
          parameters: { pointerType: 'mouse' },
          actions: [
            { type: 'pointerMove', x: Math.round(x), y: Math.round(y), origin: 'viewport' },
            { type: 'pointerDown', button: 0 },
            { type: 'pointerUp', button: 0 },
          ],
        },
      ]);
    },
    async type(text) {
      await actions([
        {
          type: 'key',
          id: 'keyboard',
          actions: Array.from(new Intl.Segmenter().segment(text), (g) => g.segment).flatMap((value) => [
            { type: 'keyDown', value },
            { type: 'keyUp', value },
          ]),
        },
      ]);
    },
    async press(key: Key) {
      const value = KEYS[key];
      await actions([
        {
          type: 'key',
          id: 'keyboard',
          actions: [
            { type: 'keyDown', value },
            { type: 'keyUp', value },
          ],
        },
      ]);
    },
    async setViewport(width, height) {
      await driver.call('POST', `${s}/window/rect`, { width, height });
    },
    async screenshot() {
      return new Uint8Array(Buffer.from(await driver.call<string>('GET', `${s}/screenshot`), 'base64'));
    },
  };
}

export async function launchWebkitEngine(): Promise<EngineBrowser> {
  const xvfb = await startXvfb();
  const port = await freePort();
  const child = spawn(DRIVER, [`--port=${port}`], {
    env: { ...process.env, DISPLAY: xvfb.display },
    stdio: 'ignore',
    detached: true,
  });
  started.add(child);
  const driver = new WebDriver(`http://127.0.0.1:${port}`);
  const sessions: string[] = [];
  try {
    await waitForDriver(driver);
  } catch (error) {
    killGroup(child);
    killGroup(xvfb.child);
    throw error;
  }
  return {
    engine: 'webkit',
    async newPage() {
      const created = await driver.call<{ sessionId: string }>('POST', '/session', {
        capabilities: {
          alwaysMatch: { 'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] } },
        },
      });
      sessions.push(created.sessionId);
      await driver.call('POST', `/session/${created.sessionId}/timeouts`, { script: 30_000, pageLoad: 30_000 });
      return page(driver, created.sessionId);
    },
    async close() {
      for (const id of sessions.splice(0)) await driver.call('DELETE', `/session/${id}`).catch(() => undefined);
      for (const c of [child, xvfb.child]) {
        killGroup(c);
        started.delete(c);
      }
    },
  };
}
