// The folder boundaries of docs/ARCHITECTURE.md are lint rules. This test lints small fixtures as if
// they lived in each folder, with the very rule objects eslint.config.js exports, and checks that
// forbidden imports fail and allowed ones pass. It also checks the full config applies them.
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import config, { boundaries } from '../../eslint.config.js';

const boundaryOnly = new ESLint({
  overrideConfigFile: true,
  overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, ...boundaries],
});

async function restrictedImportErrors(filePath: string, source: string): Promise<string[]> {
  const [result] = await boundaryOnly.lintText(source, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const cases: readonly { file: string; source: string; forbidden: boolean }[] = [
  { file: 'relay/router.ts', source: "import { x } from '../shared/protocol/ratchet.js';", forbidden: true },
  { file: 'relay/ws/connection.ts', source: "import { x } from '../../shared/crypto/aead.js';", forbidden: true },
  { file: 'relay/router.ts', source: "import { decodeEnvelope } from '../shared/wire/index.js';", forbidden: false },
  { file: 'relay/router.ts', source: "import { x } from '../widget/widget.js';", forbidden: true },
  { file: 'shared/crypto/aead.ts', source: "import { Reader } from '../wire/reader.js';", forbidden: true },
  { file: 'shared/crypto/aead.ts', source: "import { DecryptError } from '../errors/index.js';", forbidden: false },
  { file: 'shared/crypto/random.ts', source: "import { randomBytes } from 'node:crypto';", forbidden: true },
  { file: 'shared/wire/codec.ts', source: "import { sha256 } from '../crypto/hash.js';", forbidden: true },
  { file: 'shared/wire/codec.ts', source: "import { x } from '../protocol/ratchet.js';", forbidden: true },
  { file: 'shared/wire/frames/hello.ts', source: "import { struct } from '../codec.js';", forbidden: false },
  {
    file: 'shared/wire/frames/hello.ts',
    source: "import { DecodeError } from '../../errors/index.js';",
    forbidden: false,
  },
  { file: 'shared/wire/frames/hello.ts', source: "import { sha256 } from '../../crypto/hash.js';", forbidden: true },
  { file: 'shared/crypto/aead.ts', source: "import { x } from '../../relay/server.js';", forbidden: true },
  { file: 'shared/protocol/ratchet.ts', source: "import { hkdfSha256 } from '../crypto/hkdf.js';", forbidden: false },
  { file: 'shared/protocol/ratchet.ts', source: "import { x } from '../storage/dexie-store.js';", forbidden: true },
  { file: 'shared/protocol/ratchet.ts', source: "import { ref } from 'vue';", forbidden: true },
  { file: 'shared/errors/kinds.ts', source: "import { x } from '../wire/index.js';", forbidden: true },
  { file: 'widget/loader.ts', source: "import Dexie from 'dexie';", forbidden: true },
  { file: 'widget/loader.ts', source: "import { x } from '../shared/protocol/conversation.js';", forbidden: false },
  { file: 'ui/stores/inbox.ts', source: "import { x } from '../../relay/server.js';", forbidden: true },
];

describe('folder boundaries (docs/ARCHITECTURE.md)', () => {
  for (const c of cases) {
    it(`${c.forbidden ? 'rejects' : 'allows'} in ${c.file}: ${c.source}`, async () => {
      const errors = await restrictedImportErrors(c.file, c.source);
      if (c.forbidden) expect(errors).toHaveLength(1);
      else expect(errors).toEqual([]);
    });
  }

  it('the full eslint.config.js applies the boundary rule to relay/ files', async () => {
    const full = new ESLint();
    const computed = (await full.calculateConfigForFile('relay/main.ts')) as { rules?: Record<string, unknown> };
    expect(computed.rules?.['no-restricted-imports']).toBeDefined();
    expect(config.length).toBeGreaterThan(boundaries.length);
  });
});
