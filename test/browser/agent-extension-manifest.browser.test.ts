// The shipped extension builds' manifests: minimal permissions, nothing granted at install, the
// strict CSP, and the Firefox build passing `web-ext lint` with no error (it runs no browser, but
// builds with WXT like the other browser tests, so it lives here).
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXTENSION_PAGES_CSP } from '../../wxt.config.js';
import { buildExtension } from '../support/agent-app/build-agent-app.js';

const run = promisify(execFile);
const WEB_EXT = resolve(import.meta.dirname, '..', '..', 'node_modules', '.bin', 'web-ext');
const manifests = new Map<string, Record<string, unknown>>();
const dirs = new Map<string, string>();

beforeAll(async () => {
  for (const browser of ['chrome', 'firefox'] as const) {
    const dir = await buildExtension({ browser, scripted: false });
    dirs.set(browser, dir);
    manifests.set(browser, JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>);
  }
}, 240_000);

describe('extension manifests', () => {
  it('Chrome: MV3 service worker, side panel, four permissions, no host granted at install', () => {
    const manifest = manifests.get('chrome');
    expect(manifest).toMatchObject({
      manifest_version: 3,
      background: { service_worker: 'background.js', type: 'module' },
      side_panel: { default_path: 'sidepanel.html' },
      optional_host_permissions: ['https://*/*', 'http://127.0.0.1/*', 'http://localhost/*'],
      content_security_policy: { extension_pages: EXTENSION_PAGES_CSP },
    });
    expect(manifest?.['permissions']).toEqual(['notifications', 'idle', 'unlimitedStorage', 'sidePanel']);
    expect(manifest).not.toHaveProperty('host_permissions');
    expect(manifest).not.toHaveProperty('content_scripts');
    expect(manifest).not.toHaveProperty('externally_connectable');
  });

  it('Firefox: MV3 event page, sidebar, a gecko id, the same permissions and CSP', () => {
    const manifest = manifests.get('firefox');
    expect(manifest).toMatchObject({
      manifest_version: 3,
      background: { scripts: ['background.js'], type: 'module' },
      sidebar_action: { default_panel: 'sidepanel.html' },
      browser_specific_settings: { gecko: { id: 'agent-app@sealdesk' } },
      content_security_policy: { extension_pages: EXTENSION_PAGES_CSP },
    });
    expect(manifest?.['permissions']).toEqual(['notifications', 'idle', 'unlimitedStorage']);
    expect(manifest).not.toHaveProperty('host_permissions');
  });

  it('Firefox: web-ext lint reports no error', async () => {
    const dir = dirs.get('firefox') ?? '';
    const { stdout } = await run(WEB_EXT, ['lint', '--source-dir', dir, '--output', 'json', '--boring'], {
      maxBuffer: 16 * 1024 * 1024,
    });
    const report = JSON.parse(stdout) as { summary: { errors: number }; errors: unknown[] };
    expect(report.errors).toEqual([]);
    expect(report.summary.errors).toBe(0);
  }, 120_000);
});
