import * as fs from 'node:fs';
import * as path from 'node:path';
import { PostgresKeyVault, SqliteKeyVault, type KeyTable } from '@lianban/auth';
import {
  EventStoreDbEventStore,
  PostgresEventStore,
  SQLITE_FILE_NAME,
  SqliteEventStore,
  isImportable,
  type EventStore,
  type Importable,
} from '@lianban/eventstore';
import type { SubscriptionLogger } from '@lianban/eventstore';

/** A mistake in what the user asked for (exit code 2), as opposed to a failure on the way. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type StoreLocation =
  | { kind: 'sqlite'; dataDir: string }
  | { kind: 'postgres'; url: string }
  | { kind: 'eventstoredb'; connectionString: string };

/**
 * `sqlite:<DATA_DIR>` (the directory holding events.sqlite and keys.sqlite, as DATA_DIR),
 * `postgres://…` / `postgresql://…` (DATABASE_URL), `esdb://…` / `esdb+discover://…`
 * (EVENTSTORE_CONNECTION_STRING).
 */
export function parseLocation(text: string, flag: string): StoreLocation {
  if (text.startsWith('sqlite:')) {
    const dir = text.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (!dir) throw new UsageError(`${flag} sqlite: needs a directory, e.g. sqlite:./data`);
    return { kind: 'sqlite', dataDir: path.resolve(dir) };
  }
  if (/^postgres(ql)?:\/\//.test(text)) return { kind: 'postgres', url: text };
  if (/^esdb(\+discover)?:\/\//.test(text)) return { kind: 'eventstoredb', connectionString: text };
  throw new UsageError(`${flag} ${text}: expected sqlite:<dir>, postgres://… or esdb://…`);
}

/** For messages: without passwords. */
export function describeLocation(location: StoreLocation): string {
  switch (location.kind) {
    case 'sqlite':
      return `sqlite:${location.dataDir}`;
    case 'postgres':
      return location.url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
    case 'eventstoredb':
      return location.connectionString.replace(/\/\/[^@/?#]*@/, '//***@');
  }
}

export function sameLocation(a: StoreLocation, b: StoreLocation): boolean {
  return describeLocation(a) === describeLocation(b);
}

export type MigratableStore = EventStore & Importable;

export async function openStore(
  location: StoreLocation,
  role: 'source' | 'target',
  logger: SubscriptionLogger,
): Promise<MigratableStore> {
  let store: EventStore;
  switch (location.kind) {
    case 'sqlite': {
      const file = path.join(location.dataDir, SQLITE_FILE_NAME);
      // opening creates the file: a mistyped source must not turn into an empty store
      if (role === 'source' && !fs.existsSync(file)) throw new UsageError(`no event store at ${file}`);
      store = SqliteEventStore.open(file, { logger });
      break;
    }
    case 'postgres':
      store = await PostgresEventStore.connect(location.url, { logger });
      break;
    case 'eventstoredb':
      store = await EventStoreDbEventStore.connect(location.connectionString, { logger });
      break;
  }
  if (!isImportable(store)) {
    await store.close();
    throw new Error(`the ${store.kind} adapter cannot import events`);
  }
  return store;
}

export type KeyTableHandle = KeyTable & { close(): Promise<void> };

/**
 * Where a store's personal-data keys live, as the apps choose it (libs/platform VAULT): in the
 * PostgreSQL database itself, in keys.sqlite beside events.sqlite, and for EventStoreDB in the
 * services' DATA_DIR, which only the user can name (`--from-keys` / `--to-keys`).
 */
export type KeyLocation = { kind: 'sqlite'; dir: string } | { kind: 'postgres'; url: string };

export function keyLocationFor(store: StoreLocation, override: string | undefined, flag: string): KeyLocation {
  if (override) return { kind: 'sqlite', dir: path.resolve(override) };
  switch (store.kind) {
    case 'sqlite':
      return { kind: 'sqlite', dir: store.dataDir };
    case 'postgres':
      return { kind: 'postgres', url: store.url };
    case 'eventstoredb':
      throw new UsageError(
        `with EventStoreDB the key table is keys.sqlite in the services' DATA_DIR: name it with ${flag} <dir>, or pass --no-keys to leave the keys alone`,
      );
  }
}

export function describeKeyLocation(location: KeyLocation): string {
  return location.kind === 'sqlite'
    ? path.join(location.dir, 'keys.sqlite')
    : `${describeLocation({ kind: 'postgres', url: location.url })} (table petitioner_keys)`;
}

/** null: a source without a key table (nobody sealed anything yet) */
export async function openKeyTable(location: KeyLocation, role: 'source' | 'target'): Promise<KeyTableHandle | null> {
  if (location.kind === 'postgres') return PostgresKeyVault.connect(location.url);
  const file = path.join(location.dir, 'keys.sqlite');
  if (role === 'source' && !fs.existsSync(file)) return null;
  return new SqliteKeyVault(file);
}
