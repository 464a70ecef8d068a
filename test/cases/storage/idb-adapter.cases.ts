/**
 * Cases of the tiny IndexedDB adapter alone (the widget's), portable: in Node over
 * fake-indexeddb and in Chromium over real IndexedDB. A visitor page that has no conversation
 * yet must find that out without writing anything to the browser.
 */
import { openExistingIndexedDbStore, openIndexedDbStore } from '../../../shared/storage/index.js';
import { asConversationId } from '../../../shared/wire/index.js';
import { assertDeepEqual, assertEqual, assertTrue } from '../assert.js';
import type { PortableSuite } from '../portable-case.js';
import type { IdbEnvironment } from './harnesses.js';

const C1 = asConversationId(new Uint8Array(16).fill(3));

async function databaseNames(env: IdbEnvironment): Promise<string[]> {
  return (await env.indexedDB.databases()).map((d) => d.name ?? '');
}

export function idbAdapterSuite(env: IdbEnvironment): PortableSuite {
  const prefix = `sealdesk-idb-adapter-${Date.now().toString(36)}`;
  return {
    name: 'tiny IndexedDB adapter',
    cases: [
      {
        name: 'opening an absent database existing-only writes nothing and gives undefined',
        run: async () => {
          const name = `${prefix}-absent`;
          const store = await openExistingIndexedDbStore({ name, ...env });
          assertEqual(store, undefined, 'no store');
          assertTrue(!(await databaseNames(env)).includes(name), 'no database was created');
        },
      },
      {
        name: 'opening an existing database existing-only reads what it holds',
        run: async () => {
          const name = `${prefix}-present`;
          const writer = await openIndexedDbStore({ name, ...env });
          await writer.commit({ conversations: [{ conversationId: C1, state: { version: 1 } }] });
          await writer.close();
          const reader = await openExistingIndexedDbStore({ name, ...env });
          assertTrue(reader !== undefined, 'a store');
          assertDeepEqual(await reader.conversation(C1), { version: 1 }, 'the state');
          await reader.close();
        },
      },
    ],
  };
}
