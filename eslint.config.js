// ESLint flat config: typed rules everywhere, and the folder boundaries of docs/ARCHITECTURE.md
// enforced as restricted imports (a forbidden import is a lint error, not a review comment).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Build a no-restricted-imports rule from regexes over the import specifier.
 * @param {...[string, string]} rules pairs of (regex, message)
 * @returns {import('eslint').Linter.RulesRecord}
 */
function forbid(...rules) {
  return {
    'no-restricted-imports': ['error', { patterns: rules.map(([regex, message]) => ({ regex, message })) }],
  };
}

const UI_PACKAGES = [
  '^(vue|pinia|dexie|wxt|workbox-window|@wxt-dev/.*)(/|$)',
  'shared/ is framework-free: no Vue, Pinia, Dexie or WXT here (docs/ARCHITECTURE.md, layers).',
];
const NODE_BUILTINS = [
  '^(node:|fs$|path$|crypto$|http$|net$)',
  'shared/ runs in browsers: use WebCrypto and the platform, not Node built-ins.',
];

const SHARED_LAYERS = ['errors', 'crypto', 'wire', 'protocol', 'storage', 'transport'];
const APPS = ['relay', 'ui', 'widget', 'pwa', 'entrypoints', 'test', 'scripts'];

/**
 * A shared/ layer may import only itself and the layers it names. The check is on path segments of
 * the specifier, so it holds at any folder depth (`../codec.js` from shared/wire/frames/ is fine,
 * `../../crypto/aead.js` is not).
 * @param {string} layer
 * @param {string[]} allowed
 * @returns {import('eslint').Linter.Config}
 */
function sharedLayer(layer, allowed) {
  const forbidden = SHARED_LAYERS.filter((name) => name !== layer && !allowed.includes(name));
  const may = allowed.length > 0 ? `only itself and shared/${allowed.join(', shared/')}` : 'nothing outside itself';
  return {
    files: [`shared/${layer}/**/*.ts`],
    rules: forbid(
      [
        `^\\.{1,2}/(.*/)?(${[...forbidden, ...APPS].join('|')})(/|$)`,
        `shared/${layer} may import ${may} (docs/ARCHITECTURE.md).`,
      ],
      ...(layer === 'storage' || layer === 'transport' ? [] : [UI_PACKAGES, NODE_BUILTINS]),
    ),
  };
}

/** @type {import('eslint').Linter.Config[]} */
export const boundaries = [
  sharedLayer('errors', []),
  sharedLayer('crypto', ['errors']),
  sharedLayer('wire', ['errors']),
  sharedLayer('protocol', ['errors', 'crypto', 'wire']),
  sharedLayer('storage', ['errors', 'crypto', 'wire', 'protocol']),
  sharedLayer('transport', ['errors', 'crypto', 'wire', 'protocol', 'storage']),
  {
    files: ['relay/**/*.ts'],
    rules: forbid(
      [
        '(^|/)shared/(?!wire(/|$))',
        'The relay imports shared/wire and nothing else of shared/: it must never hold crypto or protocol code.',
      ],
      ['(^|/)(ui|widget|pwa|entrypoints)(/|$)', 'The relay must not import browser code.'],
    ),
  },
  {
    files: ['widget/**/*.ts'],
    rules: forbid(
      ['^(vue|pinia|dexie)(/|$)', 'The widget has a hard size budget: plain TypeScript, no Vue, Pinia or Dexie.'],
      ['(^|/)(relay|ui|pwa|entrypoints)(/|$)', 'The widget may import only shared/.'],
    ),
  },
  {
    files: ['ui/**/*.ts', 'pwa/**/*.ts', 'entrypoints/**/*.ts'],
    rules: forbid(['(^|/)relay(/|$)', 'Agent apps talk to the relay over the network, never by importing it.']),
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
