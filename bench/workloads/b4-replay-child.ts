/**
 * B4's measured process: replays every event of a store file and prints one JSON line with
 * events, seconds and its own peak RSS. Run as a child so its RSS is its own.
 *
 *   LIANBAN_DIST=<built dist> node <this file transpiled> <mode> <events.sqlite> [workdir]
 *
 * It runs as plain JavaScript against the built app (see bench/lib/common.ts `compiled`), so its
 * RSS and its profile hold nothing the app would not hold.
 *
 * modes:
 *   raw        better-sqlite3 iterates `SELECT * FROM events ORDER BY position` and parses each
 *              row's JSON: the floor of reading the store (the baseline)
 *   casefiles  what the app's CaseFilesProjection does at start-up, without Nest: its StoreFollower
 *              reads the port's readAllLean in pages of 1,000 and folds each event into its
 *              CaseFileSet (one CaseFile per case, kept as compactly as it keeps them)
 *   facts      the history service's FactsProjector rebuilding its SQLite case-facts projection
 *              the way `npm run replay` does (reset + catchUp in one projection transaction)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import type * as CaseFilesFold from '../../libs/platform/src/case-files.fold';
import type * as Follower from '../../libs/platform/src/store-follower';
import type * as EventStoreLib from '@lianban/eventstore';
import type * as Projector from '../../apps/history/src/projections/projector';
import type * as FactsStore from '../../apps/history/src/projections/sqlite-facts-store';

const dist = process.env.LIANBAN_DIST!;
/* eslint-disable @typescript-eslint/no-require-imports */
// the set itself, not the Nest provider around it: no framework in the measured memory
const { CaseFileSet } = require(path.join(dist, 'libs/platform/src/case-files.fold')) as typeof CaseFilesFold;
const { StoreFollower } = require(path.join(dist, 'libs/platform/src/store-follower')) as typeof Follower;
const { readAllLean, SqliteEventStore } = require(path.join(dist, 'libs/eventstore/src')) as typeof EventStoreLib;
const { FactsProjector } = require(path.join(dist, 'apps/history/src/projections/projector')) as typeof Projector;
const { SqliteFactsStore } = require(path.join(dist, 'apps/history/src/projections/sqlite-facts-store')) as typeof FactsStore;
/* eslint-enable @typescript-eslint/no-require-imports */

const [mode, file, workdir, limit] = process.argv.slice(2);
const PAGE = Number(process.env.BENCH_B4_PAGE ?? 1000);

/**
 * This process's own peak RSS: VmHWM, kept per address space, so it starts afresh at exec.
 * (`process.resourceUsage().maxRSS` does not: Linux carries the forked parent's high-water mark
 * across execve, so a child of a large parent would report the parent's size.)
 */
function peakRssKb(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) : Number.NaN;
}

async function main(): Promise<Record<string, unknown>> {
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  let events = 0;
  const extra: Record<string, unknown> = {};
  if (mode === 'raw') {
    const db = new Database(file, { readonly: true });
    for (const row of db.prepare('SELECT * FROM events ORDER BY position').iterate() as Iterable<{ data: string; actor: string }>) {
      JSON.parse(row.data);
      JSON.parse(row.actor);
      events += 1;
    }
    db.close();
  } else if (mode === 'casefiles') {
    const store = SqliteEventStore.open(file, { logger: { warn: () => undefined } });
    const files = new CaseFileSet();
    await new StoreFollower(store, (e) => {
      files.apply(e);
      events += 1;
    }, readAllLean).catchUp();
    extra.cases = files.size;
    extra.answered = [...files.values()].filter((f) => f.answer).length;
    await store.close();
  } else if (mode === 'facts') {
    const store = SqliteEventStore.open(file, { logger: { warn: () => undefined } });
    const facts = new SqliteFactsStore(path.join(workdir, 'projections.sqlite'));
    const projector = new FactsProjector(store, facts, { pageSize: PAGE });
    // as `npm run replay` rebuilds it: reset and catch up inside one projection transaction
    await facts.inOneTransaction(async () => {
      await projector.reset();
      events = await projector.catchUp(limit ? { until: Number(limit) } : {});
    });
    extra.checkpoint = (await facts.meta()).checkpoint;
    await facts.close();
    await store.close();
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  return {
    mode, events, seconds: Math.round(seconds * 1000) / 1000, perSecond: Math.round(events / seconds),
    // on a shared machine the wall clock also counts other processes' turns; this does not
    cpuSeconds: Math.round((cpu.user + cpu.system) / 1000) / 1000,
    maxRssKb: peakRssKb(), heapUsedMb: Math.round(process.memoryUsage().heapUsed / 1048576), ...extra,
  };
}

main().then(
  (r) => console.log(JSON.stringify(r)),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
