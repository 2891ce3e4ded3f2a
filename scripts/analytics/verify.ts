import { FACTS_VERSION } from '../../apps/history/src/projections/case-facts';
import { MemoryFactsStore } from '../../apps/history/src/projections/memory-facts-store';
import { FactsProjector } from '../../apps/history/src/projections/projector';
import { args, configFor, fail, openEventStore, openFactsStore, where } from './cli';
import { compareProjections } from './compare';
import { fmt, Progress } from './progress';

const USAGE = `npm run verify [-- --data-dir D]

Rebuilds every projection in memory from the event store, up to the stored projections'
checkpoint, and compares it with what is stored in DATA_DIR/projections.sqlite. Prints each
difference; exits 1 when there is any, 0 when they are identical.`;

async function main(): Promise<void> {
  const o = args(USAGE, { 'data-dir': { type: 'string' } });
  const config = configFor(o['data-dir']);
  const events = await openEventStore(config);
  const stored = openFactsStore(config);
  let differences = 0;
  try {
    const meta = await stored.meta();
    if (meta.version !== FACTS_VERSION) {
      fail(`the stored projections were built by ${meta.version ?? 'nothing'}; this code builds ${FACTS_VERSION}: run \`npm run replay\``);
    }
    const memory = new MemoryFactsStore();
    const projector = new FactsProjector(events, memory);
    await projector.reset();
    const bar = new Progress('rebuild', meta.checkpoint);
    const started = Date.now();
    const applied = await projector.catchUp({ until: meta.checkpoint, onPage: (p) => bar.update(p.position) });
    bar.done(meta.checkpoint);
    const seconds = (Date.now() - started) / 1000;
    const report = await compareProjections(stored, memory, (line) => process.stdout.write(`${line}\n`));
    differences = report.differences;
    const summary = `${fmt(report.cases)} cases, ${fmt(report.versions)} versions, events 1–${meta.checkpoint} of ${where(config)} ` +
      `(rebuilt ${fmt(applied)} events in ${seconds.toFixed(1)} s, ${fmt(Math.round(applied / Math.max(seconds, 0.001)))} events/s)`;
    if (differences === 0) process.stdout.write(`verified: the stored projections equal a fresh rebuild — ${summary}\n`);
    else process.stdout.write(`DIFFERENT: ${fmt(differences)} case(s) differ between the stored projections and a fresh rebuild — ${summary}\n`);
  } finally {
    await stored.close();
    await events.close();
  }
  process.exit(differences === 0 ? 0 : 1);
}

main().catch((e: unknown) => fail(`verify failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`));
