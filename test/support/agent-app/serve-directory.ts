/**
 * Serves a built folder (dist/pwa) under a path prefix on 127.0.0.1 with the test static server,
 * as the relay will serve it at /app/ (until the relay's static serving lands in this branch).
 */
import { readdir, readFile } from 'node:fs/promises';
import { extname, join, relative } from 'node:path';
import { serveStatic, type StaticFile, type StaticServer } from '../static-server.js';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.webmanifest': 'application/manifest+json',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};

async function filesBelow(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

export async function serveDirectory(dir: string, prefix: string): Promise<StaticServer> {
  const files = new Map<string, StaticFile>();
  for (const path of await filesBelow(dir)) {
    const contentType = TYPES[extname(path)] ?? 'application/octet-stream';
    files.set(`${prefix}${relative(dir, path)}`, { contentType, body: await readFile(path) });
  }
  const index = files.get(`${prefix}index.html`);
  if (index !== undefined) files.set(prefix, index);
  return serveStatic(files);
}
