import { fmt, Progress } from './progress';
import { args, configFor, fail, intOption, openEventStore, openVault, where } from './cli';
import { seedSyntheticYear } from './seed-store';

const USAGE = `npm run seed -- --cases N [--seed S] [--year Y] [--data-dir D]

Writes a reproducible synthetic year of petitions (about 12 events a case) into the event store
the services use (DATA_DIR, or --data-dir; EVENTSTORE etc. from the environment), through the
real deciders. The same seed gives the same year. The projections follow when the service
starts, or now with \`npm run replay\`.`;

async function main(): Promise<void> {
  const o = args(USAGE, { cases: { type: 'string' }, seed: { type: 'string' }, year: { type: 'string' }, 'data-dir': { type: 'string' } });
  if (o.cases === undefined) fail(`--cases is required\n\n${USAGE}`, 2);
  const cases = intOption('cases', o.cases, 0, 1, 1_000_000);
  const seed = intOption('seed', o.seed, 1, 0, 2 ** 32 - 1);
  const year = intOption('year', o.year, 2025, 2020, 2026);
  const config = configFor(o['data-dir']);
  const store = await openEventStore(config);
  const vault = await openVault(config);
  const bars: Record<string, Progress> = {};
  try {
    process.stderr.write(`seeding ${fmt(cases)} cases of ${year} (seed ${seed}) into ${where(config)}\n`);
    const r = await seedSyntheticYear(store, vault, { cases, seed, year }, (p) => {
      const label = { generate: 'simulate', seal: 'seal', append: 'append' }[p.phase];
      const bar = (bars[p.phase] ??= new Progress(label, p.total, p.phase === 'append' ? 'events' : 'cases'));
      if (p.done >= p.total) bar.done(p.done);
      else bar.update(p.done);
    });
    const total = r.ms.generate + r.ms.seal + r.ms.append;
    process.stdout.write(
      `seeded ${fmt(r.cases)} cases, ${fmt(r.events)} events (positions ${r.firstPosition}–${r.lastPosition}) in ${(total / 1000).toFixed(1)} s` +
      ` — simulate ${(r.ms.generate / 1000).toFixed(1)} s, seal ${(r.ms.seal / 1000).toFixed(1)} s, append ${(r.ms.append / 1000).toFixed(1)} s` +
      ` (${fmt(Math.round(r.events / Math.max(r.ms.append / 1000, 0.001)))} events/s)\n`,
    );
  } finally {
    await store.close();
    await vault.close();
  }
}

main().catch((e: unknown) => fail(`seed failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`));
