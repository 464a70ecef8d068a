// ESLint flat config: typed rules everywhere, and the folder boundaries of docs/ARCHITECTURE.md
// enforced as an allow-list (an import the table does not allow is a lint error, not a review comment).
import path from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const SHARED = [
  'errors',
  'crypto',
  'wire',
  'protocol',
  'storage',
  'storage/dexie',
  'transport',
  'transport/opaque',
  'runtime',
].map((layer) => `shared/${layer}`);
const PROTOCOL_BELOW = ['shared/errors', 'shared/crypto', 'shared/wire'];
const AGENT_APPS = SHARED;
/** What the visitor's widget may reach: never Dexie or OPAQUE (size budget; docs/ARCHITECTURE.md). */
const WIDGET = SHARED.filter((unit) => unit !== 'shared/storage/dexie' && unit !== 'shared/transport/opaque');

/**
 * The widget's pure look and text modules, placed on their own so the agent apps' live preview of the
 * widget (ui/views/business/) draws with the widget's own colour rule and words instead of a copy.
 * All but `widget/look` are single files (a unit may be one file, named without its extension): the
 * style sheets, the words (English and each language's) and the business-hours rule; none reaches the visitor runtime or the relay.
 */
const WIDGET_LOOK_UNITS = {
  'widget/look': [],
  'widget/chat/texts': [],
  'widget/chat/texts-de-words': ['widget/chat/texts'],
  'widget/chat/chat-styles': [],
  'widget/chat/business-hours': ['shared/runtime', 'widget/chat/texts'],
  'widget/loader/loader-styles': [],
  'widget/loader/loader-texts': [],
};

/**
 * The allow-list: each folder names the folders it may import (besides itself). A file must sit in
 * one of these folders (the longest matching one; `.` is the top-level config files), so a new folder
 * has to be placed here before it can hold code. Inside `shared/` a folder is a layer (or a protocol
 * sub-module) with one public entry, its `index.ts`; see `publicEntry`.
 * @type {Readonly<Record<string, readonly string[]>>}
 */
export const ALLOWED_IMPORTS = {
  'shared/errors': [],
  'shared/crypto': ['shared/errors'],
  'shared/wire': ['shared/errors'],
  'shared/protocol/core': PROTOCOL_BELOW,
  'shared/protocol/identity': [...PROTOCOL_BELOW, 'shared/protocol/core'],
  'shared/protocol/directory': [...PROTOCOL_BELOW, 'shared/protocol/core', 'shared/protocol/identity'],
  'shared/protocol/session': [...PROTOCOL_BELOW, 'shared/protocol/core', 'shared/protocol/identity'],
  'shared/protocol/conversation': [
    ...PROTOCOL_BELOW,
    'shared/protocol/core',
    'shared/protocol/identity',
    'shared/protocol/directory',
    'shared/protocol/session',
    'shared/protocol/attachment',
  ],
  'shared/protocol/attachment': [...PROTOCOL_BELOW, 'shared/protocol/core', 'shared/protocol/identity'],
  'shared/protocol/archive': [...PROTOCOL_BELOW, 'shared/protocol/core'],
  'shared/protocol/widget-config': [...PROTOCOL_BELOW, 'shared/protocol/core', 'shared/protocol/identity'],
  'shared/protocol/linking': [
    ...PROTOCOL_BELOW,
    'shared/protocol/core',
    'shared/protocol/identity',
    'shared/protocol/directory',
    'shared/protocol/archive',
  ],
  // shared/protocol/index.ts itself: it re-exports the sub-modules.
  'shared/protocol': [
    'shared/protocol/core',
    'shared/protocol/identity',
    'shared/protocol/directory',
    'shared/protocol/session',
    'shared/protocol/conversation',
    'shared/protocol/attachment',
    'shared/protocol/archive',
    'shared/protocol/linking',
    'shared/protocol/widget-config',
  ],
  'shared/storage': [...PROTOCOL_BELOW, 'shared/protocol'],
  'shared/storage/dexie': [...PROTOCOL_BELOW, 'shared/protocol', 'shared/storage'],
  'shared/transport': [...PROTOCOL_BELOW, 'shared/protocol', 'shared/storage'],
  'shared/transport/opaque': [...PROTOCOL_BELOW, 'shared/protocol', 'shared/transport'],
  'shared/runtime': [...PROTOCOL_BELOW, 'shared/protocol', 'shared/storage', 'shared/transport'],
  relay: ['shared/wire'],
  // The embed snippet generator: plain functions the widget, the agent apps and `npm run snippet` share.
  'widget/snippet': ['shared/errors'],
  // The widget's look and words, pure and DOM-light: the agent app's live preview draws with them.
  ...WIDGET_LOOK_UNITS,
  ui: [...AGENT_APPS, 'widget/snippet', ...Object.keys(WIDGET_LOOK_UNITS)],
  pwa: [...AGENT_APPS, 'ui'],
  entrypoints: [...AGENT_APPS, 'ui'],
  widget: [...WIDGET, 'widget/snippet', ...Object.keys(WIDGET_LOOK_UNITS)],
  scripts: [...SHARED, 'relay', 'test', 'widget', 'widget/snippet', ...Object.keys(WIDGET_LOOK_UNITS)],
  test: [
    ...SHARED,
    'relay',
    'scripts',
    '.',
    'ui',
    'pwa',
    'entrypoints',
    'widget',
    'widget/snippet',
    ...Object.keys(WIDGET_LOOK_UNITS),
  ],
  '.': ['test'],
};

/** Why a folder may not import another, where the reason is more than "not in the table". */
function reasonFor(folder, targetFolder) {
  if (folder === 'relay')
    return ': the relay imports shared/wire and nothing else, it must never hold crypto or protocol code';
  if (targetFolder === 'shared/storage/dexie') return ': Dexie is for the agent apps (ui, pwa, entrypoints) only';
  if (targetFolder === 'shared/transport/opaque') return ': the OPAQUE client is for the agent apps only';
  return '';
}

const FRAMEWORKS = '^(vue|pinia|dexie|wxt|workbox-window|@wxt-dev/.*)(/|$)';
const NODE_BUILTINS = '^(node:|(fs|path|crypto|http|https|net|os|child_process|worker_threads|stream)(/|$))';
/**
 * Packages a folder must not import (checked before the folder table). All of shared/ is
 * framework-free and runs in browsers; only shared/storage/dexie may import Dexie.
 * @type {readonly { folder: RegExp, pkg: RegExp, message: string }[]}
 */
const BANNED_PACKAGES = [
  {
    folder: /^shared\/storage\/dexie(\/|$)/,
    pkg: /^(vue|pinia|wxt|workbox-window|@wxt-dev\/.*)(\/|$)/,
    message: 'shared/storage/dexie may use Dexie, and no UI framework (docs/ARCHITECTURE.md).',
  },
  {
    folder: /^shared\/(?!storage\/dexie(\/|$))/,
    pkg: new RegExp(FRAMEWORKS),
    message:
      'shared/ is framework-free: no Vue, Pinia, WXT, and Dexie only in shared/storage/dexie (docs/ARCHITECTURE.md).',
  },
  {
    folder: /^(shared\/(?!transport\/opaque(\/|$))|widget(\/|$))/,
    pkg: /^@serenity-kit\/opaque(\/|$)/,
    message:
      'OPAQUE (@serenity-kit/opaque) is used only in shared/transport/opaque, for the agent apps (docs/ARCHITECTURE.md).',
  },
  {
    folder: /^shared\//,
    pkg: new RegExp(NODE_BUILTINS),
    message: 'shared/ runs in browsers: use WebCrypto and the platform, not Node built-ins.',
  },
  {
    folder: /^widget(\/|$)/,
    pkg: /^(vue|pinia|dexie|wxt|@wxt-dev\/.*)(\/|$)/,
    message: 'The widget has a hard size budget: plain TypeScript, no Vue, Pinia, WXT or Dexie.',
  },
];

/** Folders split into sub-modules: only their own files belong to them, each sub-folder must be placed. */
const SPLIT_FOLDERS = new Set(['shared/protocol']);

/**
 * The folder of the table that holds `file` (repo-relative, `/`-separated), or undefined: the longest
 * one that contains it (a folder holds its sub-folders, as shared/wire holds frames/).
 */
export function folderOf(file) {
  if (!file.includes('/')) return '.';
  const bare = file.replace(/\.(js|ts)$/, '');
  let best;
  for (const folder of Object.keys(ALLOWED_IMPORTS)) {
    if (folder === '.' || !(file.startsWith(`${folder}/`) || bare === folder)) continue;
    if (SPLIT_FOLDERS.has(folder) && file.slice(folder.length + 1).includes('/')) continue;
    if (best === undefined || folder.length > best.length) best = folder;
  }
  return best;
}

/** The one file of a shared/ folder that other folders may import (shared/protocol: its index or a sub-module's). */
function publicEntry(target, targetFolder) {
  const bare = target.replace(/\.(js|ts)$/, '');
  return bare === `${targetFolder}/index` || bare === targetFolder;
}

/**
 * The size measurement of `npm run size` bundles what the visitor's first send runs, function by
 * function, so it names shared/runtime's internal modules: the runtime's index would pull in all of
 * it. It is never shipped (docs/ARCHITECTURE.md, public entries).
 */
const SIZE_MEASUREMENT = 'scripts/widget/first-message-path.ts';

/**
 * The exceptions to "through the index": a unit test of one shared layer (test/unit/<layer>/,
 * test/cases/<layer>/) may import that layer's internals, and the size measurement those of
 * shared/runtime.
 */
function unitTestOf(file, target) {
  const layer = /^shared\/([a-z]+)\//.exec(target)?.[1];
  if (file === SIZE_MEASUREMENT && layer === 'runtime') return true;
  return layer !== undefined && (file.startsWith(`test/unit/${layer}/`) || file.startsWith(`test/cases/${layer}/`));
}

/** @type {import('eslint').Rule.RuleModule} */
const boundaryRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Folder allow-list and public entries of docs/ARCHITECTURE.md' },
    schema: [],
  },
  create(context) {
    const root = import.meta.dirname;
    const file = path.relative(root, context.filename).split(path.sep).join('/');
    const folder = folderOf(file);
    const check = (node) => {
      const source = node.source;
      if (source?.type !== 'Literal' || typeof source.value !== 'string') return;
      const spec = source.value;
      if (folder === undefined) return;
      if (!spec.startsWith('.')) {
        const ban = BANNED_PACKAGES.find((b) => b.folder.test(file) && b.pkg.test(spec));
        if (ban) context.report({ node: source, message: ban.message });
        return;
      }
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
      const targetFolder = folderOf(target);
      if (targetFolder === folder) return;
      const allowed = ALLOWED_IMPORTS[folder] ?? [];
      // Allowing shared/protocol allows its index and each sub-module's index.
      const reachable =
        targetFolder !== undefined &&
        (allowed.includes(targetFolder) ||
          (allowed.includes('shared/protocol') && targetFolder.startsWith('shared/protocol/')));
      if (targetFolder === undefined || !reachable) {
        context.report({
          node: source,
          message:
            `${folder} may not import ${targetFolder ?? target}${reasonFor(folder, targetFolder)} ` +
            '(ALLOWED_IMPORTS in eslint.config.js, docs/ARCHITECTURE.md).',
        });
        return;
      }
      if (targetFolder.startsWith('shared/') && !publicEntry(target, targetFolder) && !unitTestOf(file, target)) {
        context.report({
          node: source,
          message: `Import ${targetFolder} through its index.ts, not ${target} (docs/ARCHITECTURE.md: public entries).`,
        });
      }
    };
    return {
      Program(node) {
        if (folder === undefined) {
          context.report({
            node,
            message:
              `${file} is in a folder that is not placed in the allow-list ` +
              '(ALLOWED_IMPORTS in eslint.config.js): place the folder first.',
          });
        }
      },
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
    };
  },
};

/** @type {import('eslint').Linter.Config[]} */
export const boundaries = [
  {
    files: ['**/*.ts', '**/*.mts', '**/*.js', '**/*.mjs'],
    plugins: { sealdesk: { rules: { boundaries: boundaryRule } } },
    rules: { 'sealdesk/boundaries': 'error' },
  },
];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.output/', '.wxt/', 'data/', 'coverage/', 'test/lint/fixtures/'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  ...tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      'no-restricted-syntax': [
        'error',
        { selector: 'TSEnumDeclaration', message: 'Use a const object instead of an enum (docs/ARCHITECTURE.md).' },
        { selector: 'ThrowStatement > Literal', message: 'Throw a typed error, never a string.' },
        {
          selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']",
          message: 'Use crypto.getRandomValues (shared/crypto/random.ts).',
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  ...boundaries,
);
