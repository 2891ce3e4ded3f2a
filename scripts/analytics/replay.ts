import { FactsProjector } from '../../apps/history/src/projections/projector';
import { args, configFor, fail, openEventStore, openFactsStore, where } from './cli';
import { fmt, Progress } from './progress';

const USAGE = `npm run replay [-- --case <caseId>] [--data-dir D]

Rebuilds the history service's projections (DATA_DIR/projections.sqlite) from the event store:
all of them from position 0, or one case. The full rebuild is swapped in atomically: a running
service keeps answering from the old rows until it is done, then follows from the new checkpoint.`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function main(): Promise<void> {
  const o = args(USAGE, { case: { type: 'string' }, 'data-dir': { type: 'string' } });
  if (o.case !== undefined && !UUID.test(o.case)) fail(`--case must be a case id (UUID), got ${JSON.stringify(o.case)}`, 2);
  const config = configFor(o['data-dir']);
  const events = await openEventStore(config);
  const facts = openFactsStore(config);
  try {
    const projector = new FactsProjector(events, facts);
    if (o.case) {
      await projector.ensureVersion();
      const versions = await projector.rebuildCase(o.case);
      if (versions.length === 0) fail(`no case ${o.case} in ${where(config)} (up to the projection's checkpoint)`);
      process.stdout.write(`rebuilt case ${o.case}: ${versions.length} versions, ${versions[0].validFrom} → ${versions[versions.length - 1].validFrom}\n`);
      return;
    }
    const head = await events.headPosition();
    const bar = new Progress('replay', head);
    const started = Date.now();
    let applied = 0;
    await facts.inOneTransaction(async () => {
      await projector.reset();
      applied = await projector.catchUp({ until: head, onPage: (p) => bar.update(p.position) });
    });
    const seconds = (Date.now() - started) / 1000;
    bar.done(head);
    const cases = (await facts.factsAt(null)).length;
    process.stdout.write(
      `replayed ${fmt(applied)} events (positions 1–${head}) from ${where(config)} into ${facts.filePath}: ` +
      `${fmt(cases)} cases in ${seconds.toFixed(1)} s, ${fmt(Math.round(applied / Math.max(seconds, 0.001)))} events/s\n`,
    );
  } finally {
    await facts.close();
    await events.close();
  }
}

main().catch((e: unknown) => fail(`replay failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`));
