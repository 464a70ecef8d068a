/**
 * The built web files the relay serves (issue #12 item 4): the visitor widget at /widget/, the demo
 * shop at /demo/ and the agent PWA at /app/, from SEALDESK_STATIC_DIR (dist/ by default), through
 * serve-static (express's file server: a file is looked up on each request under its folder only;
 * `..`, dot files and encoded separators are refused, and the routes answer 404 for them). Headers
 * per site: a strict Content-Security-Policy,
 * `immutable` caching for content-hashed names and `no-cache` for entry points, and CORS for the
 * widget's files (the snippet loads them with `crossorigin` from the business's own pages).
 */
import { existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import serveStatic from 'serve-static';

export interface StaticSite {
  /** URL prefix without the trailing slash, e.g. `/widget`. */
  readonly prefix: string;
  /** Folder under the static directory. */
  readonly folder: string;
  /** What builds it, for the "not built yet" answer. */
  readonly buildCommand: string;
  /** Content-Security-Policy of its HTML pages; `{connect}` becomes the relay's own WebSocket origin. */
  readonly pageCsp: string;
  /** Whether other origins may load its files (`crossorigin` scripts need CORS). */
  readonly crossOrigin: boolean;
  /**
   * Content-Security-Policy of its scripts, when some of them run as workers: a dedicated or service
   * worker is governed by its own response's policy, not the page's (CSP3 §4.2.2), so FILE_CSP would
   * leave it no network, no WebAssembly and an opaque origin (no IndexedDB). A page's own scripts
   * ignore their response's policy.
   */
  readonly scriptCsp?: string;
}

/** Every other response of these sites (scripts, styles, images, JSON) gets this policy. */
const FILE_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox";

export const STATIC_SITES: readonly StaticSite[] = [
  {
    prefix: '/widget',
    folder: 'widget',
    buildCommand: 'npm run build:widget',
    // frame.html (isolated mode, THREAT-MODEL §8) is framed by a business's own pages, so no frame-ancestors.
    pageCsp:
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; connect-src 'self' {connect}; base-uri 'none'; form-action 'none'",
    crossOrigin: true,
  },
  {
    prefix: '/demo',
    folder: 'demo',
    buildCommand: 'npm run build:demo',
    pageCsp:
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; connect-src 'self' {connect}; frame-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    crossOrigin: false,
  },
  {
    prefix: '/app',
    folder: 'pwa',
    buildCommand: 'npm run build:pwa',
    pageCsp:
      "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self' {connect}; worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    crossOrigin: false,
    // The agent runtime's worker (OPAQUE is WebAssembly, the relay's API and WebSocket, IndexedDB) and the workbox service worker.
    scriptCsp:
      "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self' {connect}; object-src 'none'; base-uri 'none'",
  },
];

/** `name-<8 or more hash characters>.ext`, as esbuild (widget) and Vite (PWA) name built files. */
const HASHED = /-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/;
const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

export function isHashedName(pathname: string): boolean {
  return HASHED.test(pathname);
}

/** The relay's own WebSocket origin for `connect-src` (from the Host header, which only shapes this answer). */
function wsOrigin(req: IncomingMessage): string {
  const host = req.headers.host ?? '';
  if (!HOST.test(host)) return '';
  const secure = req.headers['x-forwarded-proto'] === 'https';
  return `${secure ? 'wss' : 'ws'}://${host}`;
}

export type StaticHandler = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

/** The site's file handler, or undefined when the folder has not been built. */
export function siteHandler(site: StaticSite, staticDir: string): StaticHandler | undefined {
  const dir = join(staticDir, site.folder);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return undefined;
  const serve = serveStatic(dir, {
    dotfiles: 'ignore',
    etag: true,
    lastModified: true,
    index: ['index.html'],
    redirect: false,
    fallthrough: true,
    cacheControl: false,
    setHeaders(res, path) {
      const page = path.endsWith('.html');
      res.setHeader('Cache-Control', !page && isHashedName(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Referrer-Policy', 'no-referrer');
      const policy = page ? site.pageCsp : path.endsWith('.js') ? (site.scriptCsp ?? FILE_CSP) : FILE_CSP;
      res.setHeader('Content-Security-Policy', policy.replace('{connect}', wsOrigin(res.req)));
      if (site.crossOrigin) {
        res.setHeader('Access-Control-Allow-Origin', '*');
        res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
      } else res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
      if (path.endsWith('.js')) res.setHeader('Content-Type', 'text/javascript; charset=utf-8');
    },
  });
  return (req, res, next) => {
    serve(req, res, next);
  };
}
