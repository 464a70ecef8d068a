/**
 * Builds the extension (WXT) and the PWA (Vite) into temporary folders for browser tests, from the
 * project's own configs. `scripted: true` swaps the runtime factory module for the scripted test
 * runtime (scripted-runtime-entry.ts); everything else in that build is the shipped code.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build as viteBuild, type Plugin } from 'vite';
import { build as wxtBuild } from 'wxt';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const SCRIPTED_ENTRY = join(ROOT, 'test', 'support', 'agent-app', 'scripted-runtime-entry.ts');
const RUNTIME_FACTORIES = [
  join(ROOT, 'entrypoints', 'background', 'create-runtime.ts'),
  join(ROOT, 'pwa', 'create-runtime.ts'),
];

const quiet = (): void => undefined;
const QUIET_LOGGER = {
  debug: quiet,
  log: quiet,
  info: quiet,
  success: quiet,
  warn: console.warn,
  error: console.error,
  fatal: console.error,
  level: 1,
};

/** A Vite plugin that resolves the runtime factory modules to the scripted test runtime. */
function scriptedRuntime(): Plugin {
  return {
    name: 'sealdesk-test-scripted-runtime',
    enforce: 'pre',
    async resolveId(source, importer, options) {
      if (!source.includes('create-runtime')) return null;
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      return resolved !== null && RUNTIME_FACTORIES.includes(resolved.id) ? SCRIPTED_ENTRY : null;
    },
  };
}

/**
 * `grantLoopbackRelay`: the build's manifest also lists http://127.0.0.1/* as a granted host
 * permission. Headless Chromium shows the permission prompt of permissions.request to no one and
 * never answers it, so a test that onboards against a loopback relay needs the grant up front
 * (the app then finds it with permissions.contains and asks nothing). Shipped builds never have it.
 */
export async function buildExtension(options: {
  readonly browser: 'chrome' | 'firefox';
  readonly scripted: boolean;
  readonly grantLoopbackRelay?: boolean;
}): Promise<string> {
  const outDir = await mkdtemp(join(tmpdir(), `sealdesk-extension-${options.browser}-`));
  await wxtBuild({
    root: ROOT,
    browser: options.browser,
    outDir,
    logger: QUIET_LOGGER,
    vite: () => ({ plugins: options.scripted ? [scriptedRuntime()] : [], logLevel: 'silent' }),
    hooks: {
      'build:manifestGenerated': (_wxt, manifest) => {
        if (options.grantLoopbackRelay === true) manifest.host_permissions = ['http://127.0.0.1/*'];
      },
    },
  });
  return join(outDir, `${options.browser}-mv3`);
}

export async function buildPwa(options: { readonly scripted: boolean; readonly outDir?: string }): Promise<string> {
  const outDir = options.outDir ?? (await mkdtemp(join(tmpdir(), 'sealdesk-pwa-')));
  await viteBuild({
    configFile: join(ROOT, 'pwa', 'vite.config.ts'),
    logLevel: 'silent',
    build: { outDir, emptyOutDir: true },
    plugins: options.scripted ? [scriptedRuntime()] : [],
    // The runtime factory is imported by the runtime worker, which Vite bundles with its own plugins.
    worker: { format: 'es', plugins: () => (options.scripted ? [scriptedRuntime()] : []) },
  });
  return outDir;
}
