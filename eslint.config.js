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
    'no-restricted-imports': [
      'error',
      { patterns: rules.map(([regex, message]) => ({ regex, message })) },
    ],
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

/** @type {import('eslint').Linter.Config[]} */
export const boundaries = [
  {
    files: ['shared/errors/**/*.ts'],
    rules: forbid(['^\\.\\./', 'shared/errors is a leaf: it imports nothing outside itself.']),
  },
  {
    files: ['shared/crypto/**/*.ts'],
    rules: forbid(
      ['^\\.\\./(?!errors/)', 'shared/crypto may import only itself and shared/errors.'],
      UI_PACKAGES,
      NODE_BUILTINS,
    ),
  },
  {
    files: ['shared/wire/**/*.ts'],
    rules: forbid(
      ['^\\.\\./(?!errors/)', 'shared/wire may import only itself and shared/errors (never crypto or protocol).'],
      UI_PACKAGES,
      NODE_BUILTINS,
    ),
  },
  {
    files: ['shared/protocol/**/*.ts'],
    rules: forbid(
      ['^\\.\\./(?!(errors|crypto|wire)/)', 'shared/protocol may import only shared/crypto, shared/wire and shared/errors.'],
      UI_PACKAGES,
      NODE_BUILTINS,
    ),
  },
  {
    files: ['shared/storage/**/*.ts', 'shared/transport/**/*.ts'],
    rules: forbid(
      ['^\\.\\./(?!(errors|crypto|wire|protocol|storage|transport)/)', 'shared/storage and shared/transport sit above protocol and below the apps.'],
      ['^(vue|pinia)(/|$)', 'shared/storage and shared/transport must not import Vue or Pinia.'],
    ),
  },
  {
    files: ['relay/**/*.ts'],
    rules: forbid([
      '(^|/)shared/(?!wire(/|$))',
      'The relay imports shared/wire and nothing else of shared/: it must never hold crypto or protocol code.',
    ], [
      '(^|/)(ui|widget|pwa|entrypoints)(/|$)',
      'The relay must not import browser code.',
    ]),
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
        { selector: "ThrowStatement > Literal", message: 'Throw a typed error, never a string.' },
        { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: 'Use crypto.getRandomValues (shared/crypto/random.ts).' },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  ...boundaries,
);
