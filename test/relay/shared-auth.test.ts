/**
 * Login states and device challenges kept in PostgreSQL for nodes that share it
 * (relay/bus/shared-logins.ts, relay/bus/shared-challenges.ts), on a database of their own: a
 * login state is sealed under a key from the OPAQUE setup, so the database alone cannot finish a
 * login, and it opens only under the login id it was stored for.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SharedChallenges } from '../../relay/bus/shared-challenges.js';
import { SharedLoginStates, loginStateKey, setupFingerprint } from '../../relay/bus/shared-logins.js';
import { PgStore } from '../../relay/store/pg-store.js';
import { type TestDatabase, createTestDatabase } from './support/pg-database.js';

let db: TestDatabase;
let store: PgStore;

beforeAll(async () => {
  db = await createTestDatabase();
  store = await PgStore.open(db.url);
});
afterAll(async () => {
  await store.close();
  await db.drop();
});

const login = { username: 'u', accountId: 'a'.repeat(32), state: 'server-login-state', expires: 1_000 };

describe('shared login states', () => {
  it('keeps a login for another node to finish, once, and not after it expired', async () => {
    const states = new SharedLoginStates(store, await loginStateKey('setup-1'));
    await states.put('id-1', login);
    // Read on "another node": another instance with the same setup.
    const other = new SharedLoginStates(store, await loginStateKey('setup-1'));
    expect(await other.take('id-1', 10)).toEqual(login);
    expect(await other.take('id-1', 10)).toBeUndefined();
    await states.put('id-2', login);
    expect(await other.take('id-2', 1_000)).toBeUndefined();
  });

  it('stores the state sealed: not readable in the database, not usable under another setup or id', async () => {
    const states = new SharedLoginStates(store, await loginStateKey('setup-1'));
    await states.put('id-3', login);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const row = (await client.query<{ value: Buffer }>("SELECT value FROM single_use WHERE key = 'id-3'")).rows[0];
      expect(row?.value.toString('latin1')).not.toContain('server-login-state');
      // Moved to another login id by someone with write access: it does not open there.
      await client.query("UPDATE single_use SET key = 'id-4' WHERE key = 'id-3'");
    } finally {
      await client.end();
    }
    expect(await states.take('id-4', 10)).toBeUndefined();
    await states.put('id-5', login);
    const stranger = new SharedLoginStates(store, await loginStateKey('setup-2'));
    expect(await stranger.take('id-5', 10)).toBeUndefined();
    expect(await setupFingerprint('setup-1')).not.toBe(await setupFingerprint('setup-2'));
  });
});

describe('shared device challenges', () => {
  it('answers true once, on any node, for the owner it was issued to', async () => {
    const a = new SharedChallenges(store);
    const b = new SharedChallenges(store);
    const challenge = await a.issue('acct:dev1', 0);
    expect(await b.consume(challenge, 'acct:dev2', 10)).toBe(false);
    const second = await a.issue('acct:dev1', 0);
    expect(await b.consume(second, 'acct:dev1', 10)).toBe(true);
    expect(await a.consume(second, 'acct:dev1', 10)).toBe(false);
    const late = await a.issue('acct:dev1', 0);
    expect(await b.consume(late, 'acct:dev1', 60_000)).toBe(false);
  });
});
