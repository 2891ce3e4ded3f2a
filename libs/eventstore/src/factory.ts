import { join } from 'node:path';
import type { EventStore } from './port';
import type { SubscriptionLogger } from './internal/polling-subscription';
import { SqliteEventStore } from './sqlite/sqlite-event-store';
import { PostgresEventStore } from './postgres/postgres-event-store';
import { EventStoreDbEventStore } from './eventstoredb/eventstoredb-event-store';

export interface EventStoreConfig {
  kind: 'sqlite' | 'postgres' | 'eventstoredb';
  /** sqlite: directory of the store file `events.sqlite` (DESIGN 10 `DATA_DIR`); default ./data */
  dataDir?: string;
  /** postgres: connection string (`DATABASE_URL`) */
  databaseUrl?: string;
  /** eventstoredb: e.g. esdb://localhost:2113?tls=false (`EVENTSTORE_CONNECTION_STRING`) */
  connectionString?: string;
  logger?: SubscriptionLogger;
}

export const SQLITE_FILE_NAME = 'events.sqlite';

/**
 * The event store chosen by configuration (DESIGN 2: `EVENTSTORE=sqlite|postgres|eventstoredb`).
 * Resolves once the store is usable: the file is open, the PostgreSQL schema exists, the
 * EventStoreDB server has answered. A missing setting or an unreachable server rejects.
 */
export async function createEventStore(config: EventStoreConfig): Promise<EventStore> {
  switch (config.kind) {
    case 'sqlite':
      return SqliteEventStore.open(join(config.dataDir ?? './data', SQLITE_FILE_NAME), {
        logger: config.logger,
      });
    case 'postgres':
      if (!config.databaseUrl) throw new Error('EVENTSTORE=postgres needs DATABASE_URL');
      return PostgresEventStore.connect(config.databaseUrl, { logger: config.logger });
    case 'eventstoredb':
      if (!config.connectionString) {
        throw new Error('EVENTSTORE=eventstoredb needs EVENTSTORE_CONNECTION_STRING');
      }
      return EventStoreDbEventStore.connect(config.connectionString, { logger: config.logger });
    default:
      throw new Error(`unknown event store kind ${String((config as { kind: unknown }).kind)}`);
  }
}
