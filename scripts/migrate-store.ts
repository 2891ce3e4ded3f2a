/**
 * npm run migrate-store -- --from sqlite:./data --to postgres://user@host:5432/lianban
 *
 * Copies an event store, with its personal-data key table, into another: every event with its
 * id, stream, revision, metadata, data and recordedAt, in global order; resumable (the target
 * records how far it got, a re-run continues and never duplicates); then verifies counts and a
 * SHA-256 over the canonical events on both sides, and carries the subscribers' checkpoints over.
 * Stop the services writing to the source first: events appended after the copy began make the
 * verification fail (run the command again to copy them).
 */
import { parseArgs } from 'node:util';
import { UsageError, keyLocationFor, parseLocation } from './store-migration/locations';
import { migrateStore, type MigrationOptions } from './store-migration/migrate';
import type { TextSink } from './store-migration/progress';

export const USAGE = `usage: migrate-store --from <store> --to <store> [options]

stores:
  sqlite:<dir>          the DATA_DIR of the embedded store (events.sqlite, keys.sqlite)
  postgres://…          a PostgreSQL database (DATABASE_URL); keys in its petitioner_keys table
  esdb://…              an EventStoreDB server (EVENTSTORE_CONNECTION_STRING)

options:
  --from-keys <dir>     the source's key table is <dir>/keys.sqlite (required for esdb://)
  --to-keys <dir>       the target's key table is <dir>/keys.sqlite (required for esdb://)
  --no-keys             do not copy or verify the personal-data keys
  --batch <n>           events per read and per import transaction (default 1000)
  --limit <n>           copy at most n events in this run, then stop (run again to continue)
  --verify-only         copy nothing; compare counts and checksums of both sides
  -h, --help

exit codes: 0 copied and verified; 1 verification failed or an error on the way;
            2 bad arguments or a refused target; 3 stopped before the end (--limit, Ctrl-C)`;

export const EXIT = { ok: 0, failed: 1, usage: 2, incomplete: 3 } as const;

function positiveInteger(value: string | undefined, flag: string, fallback?: number): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new UsageError(`${flag} ${value} is not a positive integer`);
  return n;
}

export function parseCommandLine(
  argv: string[],
  io: { stdout: TextSink; stderr: TextSink },
  signal?: AbortSignal,
): MigrationOptions | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        'from-keys': { type: 'string' },
        'to-keys': { type: 'string' },
        'no-keys': { type: 'boolean' },
        batch: { type: 'string' },
        limit: { type: 'string' },
        'verify-only': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return 'help';
  if (!values.from || !values.to) throw new UsageError('--from and --to are both required');
  const from = parseLocation(values.from, '--from');
  const to = parseLocation(values.to, '--to');
  if (values['no-keys'] && (values['from-keys'] || values['to-keys'])) {
    throw new UsageError('--no-keys and --from-keys/--to-keys contradict each other');
  }
  const keys = values['no-keys']
    ? null
    : { from: keyLocationFor(from, values['from-keys'], '--from-keys'), to: keyLocationFor(to, values['to-keys'], '--to-keys') };
  return {
    from,
    to,
    keys,
    batchSize: positiveInteger(values.batch, '--batch', 1000)!,
    limit: positiveInteger(values.limit, '--limit'),
    verifyOnly: values['verify-only'] ?? false,
    signal,
    stdout: io.stdout,
    stderr: io.stderr,
  };
}

/** The whole command; resolves to its exit code (used in-process by the tests). */
export async function runMigrateStore(
  argv: string[],
  io: { stdout: TextSink; stderr: TextSink } = { stdout: process.stdout, stderr: process.stderr },
  signal?: AbortSignal,
): Promise<number> {
  try {
    const options = parseCommandLine(argv, io, signal);
    if (options === 'help') {
      io.stdout.write(`${USAGE}\n`);
      return EXIT.ok;
    }
    const report = await migrateStore(options);
    if (!report.complete) return EXIT.incomplete;
    if (!report.verified) {
      io.stderr.write('migrate-store: the target is NOT a faithful copy of the source (see the MISMATCH above)\n');
      return EXIT.failed;
    }
    io.stdout.write('migrate-store: done, the target is a verified copy of the source\n');
    return EXIT.ok;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`migrate-store: ${error.message}\n\n${USAGE}\n`);
      return EXIT.usage;
    }
    io.stderr.write(`migrate-store: failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.failed;
  }
}

if (require.main === module) {
  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals) => {
    // the first Ctrl-C finishes the batch in flight so the checkpoint matches the target; a
    // second one exits at once, which is safe too (a batch is one transaction, or is re-sent)
    if (controller.signal.aborted) process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
    process.stderr.write(`\nmigrate-store: ${signal}: stopping after the current batch (again to quit now)\n`);
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  void runMigrateStore(process.argv.slice(2), undefined, controller.signal).then((code) => {
    process.exitCode = code;
  });
}
