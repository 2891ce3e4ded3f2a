export * from './port';
export * from './import';
export { readAllStream, readAllPages, readAllLean, type ReadAllStreamOptions } from './read-all-stream';
export type { SubscriptionLogger } from './internal/polling-subscription';
export {
  SqliteEventStore,
  SQLITE_EVENT_COLUMNS,
  SQLITE_SCHEMA,
  storedEventOfRow,
  type SqliteEventRow,
  type SqliteEventStoreOptions,
  type SqliteTransaction,
} from './sqlite/sqlite-event-store';
export { WalSync, type WalFileSync } from './sqlite/wal-sync';
export { PostgresEventStore, postgresEventsDdl, type PostgresEventStoreOptions } from './postgres/postgres-event-store';
export {
  EventStoreDbEventStore,
  type EventStoreDbEventStoreOptions,
} from './eventstoredb/eventstoredb-event-store';
export { createEventStore, SQLITE_FILE_NAME, type EventStoreConfig } from './factory';
