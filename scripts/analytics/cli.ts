import * as path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { PostgresKeyVault, SqliteKeyVault, type KeyTable, type PersonalDataVault } from '@lianban/auth';
import { createEventStore, type EventStore } from '@lianban/eventstore';
import { ConfigError, loadConfig, type LianbanConfig } from '@lianban/platform';
import { projectionsFile, SqliteFactsStore } from '../../apps/history/src/projections/sqlite-facts-store';

/** Parses the command line or exits 2 with the usage: an unknown option is a mistake, never ignored. */
export function args<K extends string>(usage: string, options: Record<K, { type: 'string' }>): Partial<Record<K, string>> {
  let values: Record<string, string | boolean | undefined>;
  try {
    const config: ParseArgsConfig = { options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false };
    values = parseArgs(config).values as Record<string, string | boolean | undefined>;
  } catch (e) {
    fail(`${(e as Error).message}\n\n${usage}`, 2);
  }
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  return values as Partial<Record<K, string>>;
}

export function fail(message: string, code = 1): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

/** A whole number from an option, or exit 2 naming it. */
export function intOption(name: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) fail(`--${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`, 2);
  return n;
}

/** The configuration the services would use (environment, DESIGN 10), with --data-dir applied. */
export function configFor(dataDir: string | undefined): LianbanConfig {
  try {
    return loadConfig({ ...process.env, ...(dataDir ? { DATA_DIR: path.resolve(dataDir) } : {}) });
  } catch (e) {
    if (e instanceof ConfigError) fail(`configuration refused: ${e.message}`, 2);
    throw e;
  }
}

export function openEventStore(config: LianbanConfig): Promise<EventStore> {
  return createEventStore({
    kind: config.eventStore, dataDir: config.dataDir, databaseUrl: config.databaseUrl ?? undefined,
    connectionString: config.eventStoreConnectionString ?? undefined,
  });
}

export function openFactsStore(config: LianbanConfig): SqliteFactsStore {
  return new SqliteFactsStore(projectionsFile(config.dataDir));
}

/** The key table the services would seal with (the same choice as PlatformModule's). */
export async function openVault(config: LianbanConfig): Promise<PersonalDataVault & KeyTable> {
  return config.eventStore === 'postgres'
    ? PostgresKeyVault.connect(config.databaseUrl!, { masterKey: config.masterKey })
    : new SqliteKeyVault(path.join(config.dataDir, 'keys.sqlite'), { masterKey: config.masterKey });
}

export function where(config: LianbanConfig): string {
  return config.eventStore === 'sqlite' ? path.join(config.dataDir, 'events.sqlite') : `${config.eventStore} store`;
}
