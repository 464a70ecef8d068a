// The relay's built web files (relay/http/static-routes.ts, static-sites.ts; issue #12 item 4):
// content types, caching, CSP and CORS per site, and refusal of traversal and odd paths, against a
// real relay process serving a temporary static directory with a secret file beside it.
import { request } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RelayProcess, makeDataDir, startRelayProcess } from './support/relay-process.js';

const data = makeDataDir();
const staticDir = join(data.dir, 'dist');
let relay: RelayProcess;

const FILES: Readonly<Record<string, string>> = {
  'widget/loader-0123abcd45.js': 'console.log("loader");',
  'widget/frame.html': '<!doctype html><title>frame</title>',
  'widget/manifest.json': '{"version":1}',
  'widget/.hidden': 'dot file',
  'demo/index.html': '<!doctype html><title>demo</title>',
  'demo/demo.css': 'body{}',
  'demo/demo.js': 'void 0;',
  'demo/assets/bag-amber.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
  'secret.txt': 'SECRET outside every site',
};

/** A raw request: the path goes on the wire exactly as given (fetch would normalise it first). */
function raw(
  path: string,
  method = 'GET',
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const { hostname, port } = new URL(relay.origin);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  for (const [path, body] of Object.entries(FILES)) {
    mkdirSync(join(staticDir, path, '..'), { recursive: true });
    writeFileSync(join(staticDir, path), body);
  }
  relay = await startRelayProcess(data.dir, { SEALDESK_STATIC_DIR: staticDir });
});

afterAll(async () => {
  await relay.stop();
  data.remove();
});

describe('static files: types, caching, policies', () => {
  it('serves each file with its content type', async () => {
    const types: Readonly<Record<string, RegExp>> = {
      '/widget/loader-0123abcd45.js': /^text\/javascript; charset=utf-8$/,
      '/widget/frame.html': /^text\/html; charset=utf-8$/i,
      '/widget/manifest.json': /^application\/json/,
      '/demo/': /^text\/html; charset=utf-8$/i,
      '/demo/demo.css': /^text\/css/,
      '/demo/assets/bag-amber.svg': /^image\/svg\+xml/,
    };
    for (const [path, type] of Object.entries(types)) {
      const res = await raw(path);
      expect(res.status, path).toBe(200);
      expect(res.headers['content-type'], path).toMatch(type);
      expect(res.headers['x-content-type-options'], path).toBe('nosniff');
    }
    expect((await raw('/demo/')).body).toContain('<title>demo</title>');
  });

  it('caches content-hashed files forever and revalidates entry points', async () => {
    expect((await raw('/widget/loader-0123abcd45.js')).headers['cache-control']).toBe(
      'public, max-age=31536000, immutable',
    );
    for (const path of [
      '/widget/frame.html',
      '/widget/manifest.json',
      '/demo/',
      '/demo/demo.js',
      '/demo/assets/bag-amber.svg',
    ])
      expect((await raw(path)).headers['cache-control'], path).toBe('no-cache');
    const first = await raw('/demo/demo.css');
    const etag = first.headers['etag'];
    expect(typeof etag).toBe('string');
    expect((await raw('/demo/demo.css', 'GET', { 'if-none-match': String(etag) })).status).toBe(304);
  });

  it('sets a strict CSP per site, and CORS only on the widget files', async () => {
    const demo = await raw('/demo/');
    const { port } = new URL(relay.origin);
    expect(demo.headers['content-security-policy']).toBe(
      `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; connect-src 'self' ws://127.0.0.1:${port}; frame-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`,
    );
    expect(demo.headers['access-control-allow-origin']).toBeUndefined();
    expect(demo.headers['cross-origin-resource-policy']).toBe('same-origin');
    const frame = await raw('/widget/frame.html');
    expect(frame.headers['content-security-policy']).toContain("script-src 'self'");
    expect(frame.headers['content-security-policy']).not.toContain('frame-ancestors');
    const loader = await raw('/widget/loader-0123abcd45.js');
    expect(loader.headers['access-control-allow-origin']).toBe('*');
    expect(loader.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expect(loader.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'; sandbox");
  });

  it('gives the PWA’s scripts, which run as workers, their own policy: the relay, WebAssembly, a real origin', async () => {
    // A worker is governed by its own response's CSP: FILE_CSP would leave the runtime worker no
    // network, no WebAssembly for OPAQUE and an opaque origin (no IndexedDB).
    const pwaData = makeDataDir();
    const files = {
      'pwa/sw.js': 'void 0;',
      'pwa/assets/runtime-worker-0123abcd45.js': 'void 0;',
      'pwa/assets/app-0123abcd45.css': 'body{}',
    };
    for (const [path, body] of Object.entries(files)) {
      mkdirSync(join(pwaData.dir, 'dist', path, '..'), { recursive: true });
      writeFileSync(join(pwaData.dir, 'dist', path), body);
    }
    const pwaRelay = await startRelayProcess(pwaData.dir, { SEALDESK_STATIC_DIR: join(pwaData.dir, 'dist') });
    try {
      const { port } = new URL(pwaRelay.origin);
      const policyOf = async (path: string): Promise<unknown> =>
        (await fetch(`${pwaRelay.origin}${path}`)).headers.get('content-security-policy');
      for (const path of ['/app/sw.js', '/app/assets/runtime-worker-0123abcd45.js']) {
        expect(await policyOf(path)).toBe(
          `default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self' ws://127.0.0.1:${port}; object-src 'none'; base-uri 'none'`,
        );
      }
      expect(await policyOf('/app/assets/app-0123abcd45.css')).toBe(
        "default-src 'none'; frame-ancestors 'none'; sandbox",
      );
    } finally {
      await pwaRelay.stop();
      pwaData.remove();
    }
  });

  it('answers HEAD, redirects the bare prefixes and refuses other methods', async () => {
    const head = await raw('/widget/loader-0123abcd45.js', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers['content-length']).toBe(String(FILES['widget/loader-0123abcd45.js']?.length));
    const bare = await raw('/demo');
    expect(bare.status).toBe(302);
    expect(bare.headers['location']).toBe('/demo/');
    expect((await raw('/')).headers['location']).toBe('/app/');
    expect((await raw('/demo/', 'POST')).status).toBe(405);
  });

  it('says how to build a site that is not built', async () => {
    const app = await raw('/app/');
    expect(app.status).toBe(503);
    expect(JSON.parse(app.body)).toMatchObject({ error: 'not-built-yet' });
    expect(app.body).toContain('npm run build:pwa');
  });
});

describe('static files: traversal and odd paths are 404', () => {
  const odd = [
    '/widget/../secret.txt',
    '/widget/..%2fsecret.txt',
    '/widget/%2e%2e/secret.txt',
    '/widget/%2e%2e%2fsecret.txt',
    '/widget/..%5csecret.txt',
    '/widget/..\\secret.txt',
    '/demo/../../secret.txt',
    '/demo/assets/..%2f..%2f..%2fsecret.txt',
    '/demo/%2e%2e%2f%2e%2e%2fdist%2fsecret.txt',
    '/widget/.hidden',
    '/widget/%2ehidden',
    '/widget/loader-0123abcd45.js%00.html',
    '/widget/%00',
    '/widget/%ZZ',
    '/widget/',
    '/demo/assets/',
    '/demo/index.html/',
    '/WIDGET/loader-0123abcd45.js',
    '/widget/loader-0123abcd45.js/..%2f..%2fsecret.txt',
    `/demo/${'a/'.repeat(400)}x`,
  ];
  for (const path of odd) {
    it(path.length > 60 ? `${path.slice(0, 60)}…` : path, async () => {
      const res = await raw(path);
      expect(res.status).toBe(404);
      expect(res.body).not.toContain('SECRET');
      expect(res.body).not.toContain('dot file');
    });
  }
});
