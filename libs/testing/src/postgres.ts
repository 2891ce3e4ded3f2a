import { randomUUID } from 'node:crypto';
import { Client } from 'pg';

/**
 * The PostgreSQL server of the integration and e2e tiers: 127.0.0.1:5432, user postgres, trust
 * auth. `DATABASE_URL` overrides it (any database on the server works as the admin one).
 */
export const POSTGRES_ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  name: string;
  url: string;
  /** drops the database, closing whatever connections are still open on it */
  drop(): Promise<void>;
}

export function databaseUrl(name: string, base = POSTGRES_ADMIN_URL): string {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: POSTGRES_ADMIN_URL });
  try {
    await client.connect();
  } catch (error) {
    // a test that needs the server must fail, loudly and saying why, when it is not there
    throw new Error(`PostgreSQL at ${POSTGRES_ADMIN_URL} is not reachable (${(error as Error).message}); the integration and e2e tiers need it`);
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabaseOptions {
  /**
   * An ICU collation (e.g. 'und') instead of the server's default, which is often byte order
   * (C.UTF-8): code that must not depend on the database's collation is tested on one that differs.
   */
  icuLocale?: string;
}

/** A fresh, empty database of its own; drop it in afterAll. */
export async function createTestDatabase(prefix = 'lianban_test', options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const name = `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const collation = options.icuLocale
    ? ` TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE '${options.icuLocale.replace(/'/g, "''")}' LOCALE 'C.UTF-8'`
    : '';
  await admin((c) => c.query(`CREATE DATABASE ${name}${collation}`));
  return {
    name,
    url: databaseUrl(name),
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}
