import type { StoredEvent } from '@lianban/contracts';
import { readAllPages, readAllStream, type StoredCheckpoint } from '@lianban/eventstore';
import type { KeyRecord } from '@lianban/auth';
import { Digest, canonicalEvent, canonicalKey } from './checksum';
import {
  UsageError,
  describeKeyLocation,
  describeLocation,
  openKeyTable,
  openStore,
  sameLocation,
  type KeyLocation,
  type KeyTableHandle,
  type MigratableStore,
  type StoreLocation,
} from './locations';
import { Progress, type TextSink } from './progress';

/** Where on the target a copy records how far it got (a source position). */
export const MIGRATION_CHECKPOINT = 'lianban.migrate-store';
/** Set once a copy into an empty target began: a non-empty target without it is refused. */
export const MIGRATION_STARTED = 'lianban.migrate-store.started';
const OWN_CHECKPOINTS = /^lianban\.migrate-store/;

export interface MigrationOptions {
  from: StoreLocation;
  to: StoreLocation;
  /** null: leave the key tables alone (--no-keys) */
  keys: { from: KeyLocation; to: KeyLocation } | null;
  /** events per read and per import transaction */
  batchSize: number;
  /** copy at most this many events in this run, then stop (resumable) */
  limit?: number;
  /** only compare the two sides */
  verifyOnly?: boolean;
  /** checked between batches: an interrupted copy stops cleanly and resumes on the next run */
  signal?: AbortSignal;
  /** progress bars */
  stderr: TextSink;
  /** the report */
  stdout: TextSink;
}

export interface SideSummary {
  count: number;
  sha256: string;
}

export interface MigrationReport {
  /** false when the run stopped before the source's head (--limit, interrupted) */
  complete: boolean;
  copied: { imported: number; skipped: number; elapsedMs: number; eventsPerSecond: number };
  keysCopied: { imported: number; skipped: number };
  verified: boolean;
  events?: { source: SideSummary; target: SideSummary; firstDifference?: string };
  keys?: { source: SideSummary; target: SideSummary; firstDifference?: string };
  checkpointsCarried: StoredCheckpoint[];
}

export class VerificationError extends Error {}

/**
 * Copies one event store (and its personal-data key table) into another, resumably, then
 * proves the copy: same count and same SHA-256 over the canonical events in global order on
 * both sides. See scripts/migrate-store.ts for the command line.
 */
export async function migrateStore(options: MigrationOptions): Promise<MigrationReport> {
  if (sameLocation(options.from, options.to)) throw new UsageError('--from and --to are the same store');
  const out = (line: string) => options.stdout.write(`${line}\n`);
  const logger = { warn: (message: string) => options.stderr.write(`warning: ${message}\n`) };
  const opened: Array<{ close(): Promise<void> }> = [];
  const report: MigrationReport = {
    complete: true,
    copied: { imported: 0, skipped: 0, elapsedMs: 0, eventsPerSecond: 0 },
    keysCopied: { imported: 0, skipped: 0 },
    verified: false,
    checkpointsCarried: [],
  };
  try {
    const source = await openStore(options.from, 'source', logger);
    opened.push(source);
    const target = await openStore(options.to, 'target', logger);
    opened.push(target);
    let sourceKeys: KeyTableHandle | null = null;
    let targetKeys: KeyTableHandle | null = null;
    if (options.keys) {
      sourceKeys = await openKeyTable(options.keys.from, 'source');
      if (sourceKeys) opened.push(sourceKeys);
      targetKeys = await openKeyTable(options.keys.to, 'target');
      if (targetKeys) opened.push(targetKeys);
    }
    out(`migrate-store: ${describeLocation(options.from)} -> ${describeLocation(options.to)}`);
    if (options.keys) out(`keys: ${describeKeyLocation(options.keys.from)} -> ${describeKeyLocation(options.keys.to)}`);
    else out('keys: left alone (--no-keys)');

    if (!options.verifyOnly) {
      const complete = await copyEvents(source, target, options, report, out);
      if (!complete) {
        report.complete = false;
        return report;
      }
      if (sourceKeys && targetKeys) report.keysCopied = await copyKeys(sourceKeys, targetKeys, options.batchSize);
      out(`keys: ${report.keysCopied.imported} copied, ${report.keysCopied.skipped} already there`);
    }

    const sourceCheckpoints = (await source.listCheckpoints())
      .filter((c) => !OWN_CHECKPOINTS.test(c.id))
      .sort((a, b) => a.position - b.position);
    const verified = await verifyEvents(source, target, sourceCheckpoints, options);
    report.events = verified.summary;
    out(sideLine('events', verified.summary));
    let keysOk = true;
    if (options.keys) {
      report.keys = await verifyKeys(sourceKeys, targetKeys!, options.batchSize);
      out(sideLine('keys', report.keys));
      keysOk = report.keys.firstDifference === undefined;
    }
    report.verified = verified.summary.firstDifference === undefined && keysOk;
    if (!report.verified) return report;

    // only a verified copy pairs source and target events, which is what the translation needs
    for (const c of verified.translated) {
      if ((await target.loadCheckpoint(c.id)) >= c.position) continue;
      await target.saveCheckpoint(c.id, c.position);
      report.checkpointsCarried.push(c);
    }
    out(`checkpoints: ${report.checkpointsCarried.length} carried over${report.checkpointsCarried.map((c) => ` ${c.id}=${c.position}`).join(',')}`);
    return report;
  } finally {
    for (const handle of opened.reverse()) await handle.close().catch(() => undefined);
  }
}

async function copyEvents(
  source: MigratableStore,
  target: MigratableStore,
  options: MigrationOptions,
  report: MigrationReport,
  out: (line: string) => void,
): Promise<boolean> {
  const head = await source.headPosition();
  if (head === 0) throw new UsageError(`the source ${describeLocation(options.from)} holds no events`);
  const started = (await target.loadCheckpoint(MIGRATION_STARTED)) > 0;
  if (!started) {
    if ((await target.headPosition()) > 0) {
      throw new UsageError(
        `the target ${describeLocation(options.to)} already holds events that no migration put there; ` +
          'refusing to mix two stores (migrate into an empty store)',
      );
    }
    await target.saveCheckpoint(MIGRATION_STARTED, 1);
  }
  const after = await target.loadCheckpoint(MIGRATION_CHECKPOINT);
  const total = await source.countEvents({ after, until: head });
  out(
    after > 0
      ? `resuming after source position ${after}: ${total} events left up to position ${head}`
      : `copying ${total} events up to source position ${head}`,
  );
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const progress = new Progress(options.stderr, 'copying', Math.min(total, limit));
  let sent = 0;
  let stoppedEarly = false;
  for await (const page of readAllPages(source, { after, until: head, pageSize: options.batchSize })) {
    if (options.signal?.aborted || sent >= limit) {
      stoppedEarly = true;
      break;
    }
    const batch: StoredEvent[] = page.slice(0, limit - sent);
    const result = await target.importEvents(batch, {
      checkpoint: { id: MIGRATION_CHECKPOINT, position: batch[batch.length - 1].position },
    });
    report.copied.imported += result.imported;
    report.copied.skipped += result.skipped;
    sent += batch.length;
    progress.update(sent);
    if (batch.length < page.length) {
      stoppedEarly = true;
      break;
    }
  }
  const { elapsedMs, rate } = progress.finish();
  report.copied.elapsedMs = elapsedMs;
  report.copied.eventsPerSecond = rate;
  out(
    `events: ${report.copied.imported} copied, ${report.copied.skipped} already there, ` +
      `in ${(elapsedMs / 1000).toFixed(1)} s (${Math.round(rate)} events/s)`,
  );
  if (stoppedEarly && sent < total) {
    out(
      `stopped after ${sent} of ${total} events (${options.signal?.aborted ? 'interrupted' : '--limit'}); ` +
        'run the same command again to continue',
    );
    return false;
  }
  return true;
}

async function copyKeys(
  from: KeyTableHandle,
  to: KeyTableHandle,
  batchSize: number,
): Promise<{ imported: number; skipped: number }> {
  const total = { imported: 0, skipped: 0 };
  let after: string | null = null;
  for (;;) {
    const page: KeyRecord[] = await from.readKeys(after, batchSize);
    if (page.length === 0) return total;
    const r = await to.importKeys(page);
    total.imported += r.imported;
    total.skipped += r.skipped;
    after = page[page.length - 1].petitionerId;
  }
}

interface EventVerification {
  summary: { source: SideSummary; target: SideSummary; firstDifference?: string };
  /** the source's checkpoints in target positions */
  translated: StoredCheckpoint[];
}

function describeDifference(index: number, s: StoredEvent | undefined, t: StoredEvent | undefined): string {
  if (!s) return `event #${index + 1}: the target has ${t!.id} (${t!.streamId}@${t!.revision}) beyond the source's last event`;
  if (!t) return `event #${index + 1}: the source's ${s.id} (${s.streamId}@${s.revision}) is missing from the target`;
  const a = JSON.parse(canonicalEvent(s)) as Record<string, unknown>;
  const b = JSON.parse(canonicalEvent(t)) as Record<string, unknown>;
  const fields = Object.keys(a).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
  const detail = fields
    .slice(0, 3)
    .map((k) => `${k}: ${JSON.stringify(a[k]).slice(0, 80)} vs ${JSON.stringify(b[k]).slice(0, 80)}`)
    .join('; ');
  return `event #${index + 1} (source ${s.id}) differs: ${detail}`;
}

/**
 * Walks both stores in global order side by side: one digest each, the first difference, and
 * the translation of source checkpoints to target positions (a checkpoint at source position p
 * becomes the target position of the last event at or before p).
 */
async function verifyEvents(
  source: MigratableStore,
  target: MigratableStore,
  checkpoints: StoredCheckpoint[],
  options: MigrationOptions,
): Promise<EventVerification> {
  const total = await source.countEvents();
  const progress = new Progress(options.stderr, 'verifying', total);
  const sourceEvents = readAllStream(source, { pageSize: options.batchSize });
  const targetEvents = readAllStream(target, { pageSize: options.batchSize });
  const digests = { source: new Digest(), target: new Digest() };
  const translated: StoredCheckpoint[] = [];
  let pending = 0;
  let lastTargetPosition = 0;
  let firstDifference: string | undefined;
  for (let index = 0; ; index++) {
    const [s, t] = await Promise.all([sourceEvents.next(), targetEvents.next()]);
    if (s.done && t.done) break;
    const sourceLine = s.done ? undefined : canonicalEvent(s.value);
    const targetLine = t.done ? undefined : canonicalEvent(t.value);
    if (sourceLine !== undefined) digests.source.addLine(sourceLine);
    if (targetLine !== undefined) digests.target.addLine(targetLine);
    if (firstDifference === undefined && sourceLine !== targetLine) {
      firstDifference = describeDifference(index, s.done ? undefined : s.value, t.done ? undefined : t.value);
    }
    if (!s.done) {
      while (pending < checkpoints.length && checkpoints[pending].position < s.value.position) {
        translated.push({ id: checkpoints[pending++].id, position: lastTargetPosition });
      }
      if (!t.done) lastTargetPosition = t.value.position;
    }
    progress.update(digests.source.count);
  }
  while (pending < checkpoints.length) translated.push({ id: checkpoints[pending++].id, position: lastTargetPosition });
  progress.finish();
  const summary = {
    source: { count: digests.source.count, sha256: digests.source.hex() },
    target: { count: digests.target.count, sha256: digests.target.hex() },
    firstDifference,
  };
  return { summary, translated };
}

async function verifyKeys(
  source: KeyTableHandle | null,
  target: KeyTableHandle,
  batchSize: number,
): Promise<{ source: SideSummary; target: SideSummary; firstDifference?: string }> {
  const lines = async function* (table: KeyTableHandle | null): AsyncGenerator<string> {
    let after: string | null = null;
    while (table) {
      const page: KeyRecord[] = await table.readKeys(after, batchSize);
      if (page.length === 0) return;
      for (const k of page) yield canonicalKey(k);
      after = page[page.length - 1].petitionerId;
    }
  };
  const a = lines(source);
  const b = lines(target);
  const digests = { source: new Digest(), target: new Digest() };
  let firstDifference: string | undefined;
  for (let index = 0; ; index++) {
    const [s, t] = await Promise.all([a.next(), b.next()]);
    if (s.done && t.done) break;
    if (!s.done) digests.source.addLine(s.value);
    if (!t.done) digests.target.addLine(t.value);
    if (firstDifference === undefined && s.value !== t.value) {
      // the petitioner id only: the key itself must not end up in a log
      const who = (line: string | void) => (line ? line.split('\t')[0] : 'nothing');
      firstDifference = `key #${index + 1}: source ${who(s.value)} vs target ${who(t.value)}`;
    }
  }
  return {
    source: { count: digests.source.count, sha256: digests.source.hex() },
    target: { count: digests.target.count, sha256: digests.target.hex() },
    firstDifference,
  };
}

function sideLine(what: string, r: { source: SideSummary; target: SideSummary; firstDifference?: string }): string {
  const verdict = r.firstDifference === undefined ? 'OK' : `MISMATCH: ${r.firstDifference}`;
  return (
    `verify ${what}: source ${r.source.count} sha256 ${r.source.sha256}\n` +
    `verify ${what}: target ${r.target.count} sha256 ${r.target.sha256}\n` +
    `verify ${what}: ${verdict}`
  );
}
