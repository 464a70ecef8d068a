/**
 * A PostgreSQL database of its own for a test: created with a random name on the machine's server
 * (127.0.0.1:5432, trust auth; SEALDESK_TEST_PG_URL overrides) and dropped afterwards, with any
 * connection a killed relay left behind. Never touches a database it did not create.
 */
import pg from 'pg';

export const PG_ADMIN_URL = process.env['SEALDESK_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

function randomName(): string {
  return `sealdesk_test_${Buffer.from(crypto.getRandomValues(new Uint8Array(8))).toString('hex')}`;
}

/** The URL of database `name` on the server of `adminUrl`. */
export function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin<T>(adminUrl: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(adminUrl = PG_ADMIN_URL): Promise<TestDatabase> {
  const name = randomName();
  await admin(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  let dropped = false;
  return {
    name,
    url: databaseUrl(adminUrl, name),
    drop: async () => {
      if (dropped) return;
      dropped = true;
      await admin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
