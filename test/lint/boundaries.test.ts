// The folder allow-list of docs/ARCHITECTURE.md is a lint rule. This test lints small sources as if
// they lived in each folder, with the very rule eslint.config.js exports, and checks that forbidden
// imports fail and allowed ones pass. It also checks the full config applies the rule and that the
// allow-list itself has no cycle.
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import config, { ALLOWED_IMPORTS, boundaries, folderOf } from '../../eslint.config.js';

const boundaryOnly = new ESLint({
  overrideConfigFile: true,
  overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, ...boundaries],
});

async function boundaryErrors(filePath: string, source: string): Promise<string[]> {
  const [result] = await boundaryOnly.lintText(source, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'sealdesk/boundaries').map((m) => m.message);
}

interface Case {
  readonly why: string;
  readonly file: string;
  readonly source: string;
  readonly refused: boolean;
}

const cases: readonly Case[] = [
  // Deep imports: another folder's internals, instead of its index.ts.
  {
    why: 'a deep import into a protocol sub-module from a test outside its unit tests',
    file: 'test/scenarios/story.test.ts',
    source: "import { x } from '../../shared/protocol/session/ratchet.js';",
    refused: true,
  },
  {
    why: 'a deep import between protocol sub-modules',
    file: 'shared/protocol/conversation/conversation-send.ts',
    source: "import { x } from '../session/first-contact.js';",
    refused: true,
  },
  {
    why: 'a deep import of shared/wire from shared/protocol',
    file: 'shared/protocol/core/versioned-codec.ts',
    source: "import { struct } from '../../wire/codec.js';",
    refused: true,
  },
  {
    why: 'a deep import of shared/wire from the relay',
    file: 'relay/ws/connection.ts',
    source: "import { Reader } from '../../shared/wire/reader.js';",
    refused: true,
  },
  {
    why: "a unit test may import its own layer's internals, not another layer's",
    file: 'test/unit/wire/codec.test.ts',
    source: "import { x } from '../../../shared/protocol/session/ratchet.js';",
    refused: true,
  },
  // Folders that are not placed in the allow-list.
  { why: 'a new top-level folder', file: 'newfolder/thing.ts', source: 'export const x = 1;', refused: true },
  {
    why: 'a new shared/ layer',
    file: 'shared/newlayer/thing.ts',
    source: "import { x } from '../errors/index.js';",
    refused: true,
  },
  {
    why: 'a new protocol sub-module',
    file: 'shared/protocol/newpart/thing.ts',
    source: "import { x } from '../core/index.js';",
    refused: true,
  },
  // Dexie: only in shared/storage/dexie, which the widget and the rest of shared/ never reach.
  {
    why: 'Dexie in shared/storage outside the dexie adapter',
    file: 'shared/storage/memory-store.ts',
    source: "import Dexie from 'dexie';",
    refused: true,
  },
  {
    why: 'Dexie in shared/transport (no longer exempt)',
    file: 'shared/transport/outbox.ts',
    source: "import Dexie from 'dexie';",
    refused: true,
  },
  {
    why: 'Vue in shared/storage (no longer exempt)',
    file: 'shared/storage/ports.ts',
    source: "import { ref } from 'vue';",
    refused: true,
  },
  {
    why: 'shared/storage importing its own Dexie adapter',
    file: 'shared/storage/index.ts',
    source: "export * from './dexie/index.js';",
    refused: true,
  },
  {
    why: 'the Dexie adapter in shared/storage/dexie',
    file: 'shared/storage/dexie/dexie-store.ts',
    source: "import Dexie from 'dexie';",
    refused: false,
  },
  { why: 'Dexie in the widget', file: 'widget/loader.ts', source: "import Dexie from 'dexie';", refused: true },
  {
    why: 'the Dexie adapter from the widget',
    file: 'widget/loader.ts',
    source: "import { x } from '../shared/storage/dexie/index.js';",
    refused: true,
  },
  {
    why: 'the Dexie adapter from shared/runtime (adapters are passed in)',
    file: 'shared/runtime/agent-runtime.ts',
    source: "import { x } from '../storage/dexie/index.js';",
    refused: true,
  },
  {
    why: 'the Dexie adapter from an agent app',
    file: 'pwa/main.ts',
    source: "import { x } from '../shared/storage/dexie/index.js';",
    refused: false,
  },
  // The widget's pure look units (the settings page's live preview), and nothing else of the widget.
  {
    why: "the widget's colour rule from the agent app's preview",
    file: 'ui/views/business/widget-look.ts',
    source: "import { textOn } from '../../../widget/look/colour.js';",
    refused: false,
  },
  {
    why: "the widget's English texts (a single-file unit) from the agent app",
    file: 'ui/views/business/widget-look.ts',
    source: "import { ENGLISH } from '../../../widget/chat/texts.js';",
    refused: false,
  },
  {
    why: "the widget's chat code (its visitor runtime) from the agent app",
    file: 'ui/views/business/widget-look.ts',
    source: "import { x } from '../../../widget/chat/render-chat.js';",
    refused: true,
  },
  {
    why: 'the visitor runtime from a single-file look unit',
    file: 'widget/chat/texts.ts',
    source: "import { x } from '../../shared/runtime/index.js';",
    refused: true,
  },
  // OPAQUE: only shared/transport/opaque, which the agent apps reach and the widget and runtime never do.
  {
    why: 'the OPAQUE client from the widget',
    file: 'widget/loader.ts',
    source: "import { x } from '../shared/transport/opaque/index.js';",
    refused: true,
  },
  {
    why: '@serenity-kit/opaque in the widget',
    file: 'widget/loader.ts',
    source: "import * as opaque from '@serenity-kit/opaque';",
    refused: true,
  },
  {
    why: '@serenity-kit/opaque in shared/transport outside its OPAQUE unit',
    file: 'shared/transport/http/auth-api.ts',
    source: "import * as opaque from '@serenity-kit/opaque';",
    refused: true,
  },
  {
    why: 'the OPAQUE client from shared/runtime (passed in as the OpaqueClient port)',
    file: 'shared/runtime/agent-runtime.ts',
    source: "import { x } from '../transport/opaque/index.js';",
    refused: true,
  },
  {
    why: '@serenity-kit/opaque in its unit',
    file: 'shared/transport/opaque/serenity-opaque.ts',
    source: "import * as opaque from '@serenity-kit/opaque';",
    refused: false,
  },
  {
    why: 'the OPAQUE client from an agent app',
    file: 'entrypoints/background/index.ts',
    source: "import { x } from '../../shared/transport/opaque/index.js';",
    refused: false,
  },
  // The relay: shared/wire only.
  {
    why: 'the relay importing shared/protocol',
    file: 'relay/router.ts',
    source: "import { x } from '../shared/protocol/index.js';",
    refused: true,
  },
  {
    why: 'the relay importing shared/crypto',
    file: 'relay/ws/connection.ts',
    source: "import { x } from '../../shared/crypto/index.js';",
    refused: true,
  },
  {
    why: 'the relay importing browser code',
    file: 'relay/router.ts',
    source: "import { x } from '../widget/widget.js';",
    refused: true,
  },
  {
    why: 'an agent app importing the relay',
    file: 'ui/stores/inbox.ts',
    source: "import { x } from '../../relay/server.js';",
    refused: true,
  },
  // Direction between shared/ layers and protocol sub-modules.
  {
    why: 'shared/crypto importing shared/wire',
    file: 'shared/crypto/aead.ts',
    source: "import { Reader } from '../wire/index.js';",
    refused: true,
  },
  {
    why: 'shared/wire importing shared/crypto',
    file: 'shared/wire/frames/hello.ts',
    source: "import { sha256 } from '../../crypto/index.js';",
    refused: true,
  },
  {
    why: 'shared/errors importing anything',
    file: 'shared/errors/kinds.ts',
    source: "import { x } from '../wire/index.js';",
    refused: true,
  },
  {
    why: 'shared/protocol importing shared/storage',
    file: 'shared/protocol/session/ratchet.ts',
    source: "import { x } from '../../storage/index.js';",
    refused: true,
  },
  {
    why: 'a lower protocol sub-module importing a higher one (no cycle)',
    file: 'shared/protocol/session/first-contact.ts',
    source: "import { x } from '../conversation/index.js';",
    refused: true,
  },
  {
    why: 'Node built-ins in shared/',
    file: 'shared/crypto/random.ts',
    source: "import { randomBytes } from 'node:crypto';",
    refused: true,
  },
  {
    why: 'Vue in shared/protocol',
    file: 'shared/protocol/session/ratchet.ts',
    source: "import { ref } from 'vue';",
    refused: true,
  },
  // Allowed imports.
  {
    why: 'the relay importing the shared/wire index',
    file: 'relay/router.ts',
    source: "import { decodeEnvelope } from '../shared/wire/index.js';",
    refused: false,
  },
  {
    why: 'a protocol sub-module importing another through its index',
    file: 'shared/protocol/conversation/conversation-send.ts',
    source: "import { sealForPeer } from '../session/index.js';",
    refused: false,
  },
  {
    why: 'a file importing its own folder directly',
    file: 'shared/protocol/session/ratchet.ts',
    source: "import { kdfRk } from './ratchet-kdf.js';",
    refused: false,
  },
  {
    why: 'shared/wire/frames importing the rest of shared/wire directly',
    file: 'shared/wire/frames/hello.ts',
    source: "import { struct } from '../codec.js';",
    refused: false,
  },
  {
    why: 'a protocol sub-module importing shared/crypto through its index',
    file: 'shared/protocol/session/ratchet.ts',
    source: "import { hkdfSha256 } from '../../crypto/index.js';",
    refused: false,
  },
  {
    why: 'a test importing the protocol index',
    file: 'test/scenarios/story.test.ts',
    source: "import { sendMessage } from '../../shared/protocol/index.js';",
    refused: false,
  },
  {
    why: 'a test importing a protocol sub-module index',
    file: 'test/attacks/story.test.ts',
    source: "import { sendMessage } from '../../shared/protocol/conversation/index.js';",
    refused: false,
  },
  {
    why: "a unit test of shared/protocol importing the layer's internals",
    file: 'test/unit/protocol/ratchet.test.ts',
    source: "import { ratchetEncrypt } from '../../../shared/protocol/session/ratchet.js';",
    refused: false,
  },
  {
    why: "the size measurement of the first-message path importing shared/runtime's internals",
    file: 'scripts/widget/first-message-path.ts',
    source: "import { sendStep } from '../../shared/runtime/conversation-steps.js';",
    refused: false,
  },
  {
    why: "another script importing shared/runtime's internals",
    file: 'scripts/widget/size.ts',
    source: "import { sendStep } from '../../shared/runtime/conversation-steps.js';",
    refused: true,
  },
  {
    why: "the size measurement importing another layer's internals",
    file: 'scripts/widget/first-message-path.ts',
    source: "import { x } from '../../shared/transport/ws/relay-connection.js';",
    refused: true,
  },
  {
    why: 'the widget importing shared/storage (its tiny IndexedDB adapter is there)',
    file: 'widget/loader.ts',
    source: "import { x } from '../shared/storage/index.js';",
    refused: false,
  },
  {
    why: 'a top-level config file importing test support',
    file: 'vitest.config.ts',
    source: "import { reporters } from './test/support/reporters.js';",
    refused: false,
  },
];

describe('folder allow-list (docs/ARCHITECTURE.md)', () => {
  for (const c of cases) {
    it(`${c.refused ? 'refuses' : 'allows'} ${c.why}: ${c.file}: ${c.source}`, async () => {
      const errors = await boundaryErrors(c.file, c.source);
      if (c.refused) expect(errors).toHaveLength(1);
      else expect(errors).toEqual([]);
    });
  }

  it('places each file in the longest matching folder', () => {
    expect(folderOf('shared/storage/dexie/dexie-store.ts')).toBe('shared/storage/dexie');
    expect(folderOf('shared/storage/memory/memory-store.ts')).toBe('shared/storage');
    expect(folderOf('shared/storage/indexeddb/idb-store.ts')).toBe('shared/storage');
    expect(folderOf('shared/transport/ws/relay-socket.ts')).toBe('shared/transport');
    expect(folderOf('shared/transport/opaque/serenity-opaque.ts')).toBe('shared/transport/opaque');
    expect(folderOf('shared/protocol/index.ts')).toBe('shared/protocol');
    expect(folderOf('shared/protocol/session/ratchet.ts')).toBe('shared/protocol/session');
    expect(folderOf('shared/wire/frames/hello.ts')).toBe('shared/wire');
    expect(folderOf('eslint.config.js')).toBe('.');
    expect(folderOf('newfolder/thing.ts')).toBeUndefined();
    expect(folderOf('shared/protocol/newpart/thing.ts')).toBeUndefined();
  });

  it('the allow-list has no cycle, so no import cycle can pass lint', () => {
    const table: Readonly<Record<string, readonly string[]>> = ALLOWED_IMPORTS;
    const done = new Set<string>();
    const walk = (folder: string, path: readonly string[]): void => {
      if (path.includes(folder)) throw new Error(`cycle: ${[...path, folder].join(' -> ')}`);
      if (done.has(folder)) return;
      for (const next of table[folder] ?? []) walk(next, [...path, folder]);
      done.add(folder);
    };
    // The apps and tests sit on top of shared/ and may import each other as the table says; the
    // layers of shared/ must form a strict order.
    for (const folder of Object.keys(table).filter((f) => f.startsWith('shared/'))) {
      expect(() => {
        walk(folder, []);
      }).not.toThrow();
    }
  });

  it('the full eslint.config.js applies the rule to every folder', async () => {
    const full = new ESLint();
    for (const file of [
      'relay/main.ts',
      'shared/protocol/index.ts',
      'test/lint/boundaries.test.ts',
      'eslint.config.js',
    ]) {
      const computed = (await full.calculateConfigForFile(file)) as { rules?: Record<string, unknown> };
      expect(computed.rules?.['sealdesk/boundaries']).toBeDefined();
    }
    expect(config.length).toBeGreaterThan(boundaries.length);
  });
});
