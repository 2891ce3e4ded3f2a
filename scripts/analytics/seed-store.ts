import { randomBytes } from 'node:crypto';
import type { KeyTable, PersonalDataVault } from '@lianban/auth';
import type { EventStore } from '@lianban/eventstore';
import { Registry } from '@lianban/registry';
import { generateSyntheticYear, type SyntheticYearOptions } from './synthetic-year';

export interface SeedProgress {
  phase: 'generate' | 'seal' | 'append';
  done: number;
  total: number;
}

export interface SeedResult {
  cases: number;
  events: number;
  firstPosition: number;
  lastPosition: number;
  ms: { generate: number; seal: number; append: number };
}

/** events handed to the store per round of appends */
const ROUND = 2000;

/**
 * Writes a synthetic year into a store through the EventStore port (no HTTP, no services): the
 * events in time order, each stream's events with its expected revision, personal data sealed
 * with each petitioner's own key as intake would.
 *
 * Speed comes from issuing a round of appends at once. The SQLite adapter writes the appends
 * issued in one tick in ONE transaction and in call order (its group commit), so one round may
 * hold several appends to one stream, each with its revision, and keeps the global order equal
 * to time order. Other adapters promise no order among concurrent appends: for them a round
 * ends before a stream would appear twice in it, so no append can overtake its predecessor.
 */
export async function seedSyntheticYear(
  store: EventStore,
  vault: (PersonalDataVault & Partial<KeyTable>) | null,
  options: Omit<SyntheticYearOptions, 'nextCaseNumber' | 'lastHlc'>,
  onProgress: (p: SeedProgress) => void = () => undefined,
): Promise<SeedResult> {
  const t0 = Date.now();
  const head = await store.headPosition();
  const lastHlc = head > 0 ? (await store.readAll({ after: head - 1, limit: 1 }))[0]?.hlc ?? null : null;
  // case numbers continue what intake has already allocated this year
  const numberStreams = [`casenumber-cq-${options.year}`, `casenumber-sc-${options.year}`];
  const used = new Map<string, number>();
  for (const s of numberStreams) {
    const events = await store.readStream(s);
    used.set(s, events.length ? events[events.length - 1].revision + 1 : 0);
  }
  onProgress({ phase: 'generate', done: 0, total: options.cases });
  const year = generateSyntheticYear({ ...options, lastHlc, nextCaseNumber: (s) => used.get(s) ?? 0 }, new Registry());
  onProgress({ phase: 'generate', done: options.cases, total: options.cases });
  const t1 = Date.now();

  const regs = year.events.filter((e) => e.type === 'lianban.case.registered.v1');
  if (vault?.importKeys) {
    // one transaction for every new key (sealing one by one would sync the key table per petitioner)
    const createdAt = new Date().toISOString();
    const keys = [...year.petitioners.keys()].map((petitionerId) => ({ petitionerId, key: randomBytes(32), createdAt }));
    for (let i = 0; i < keys.length; i += 5000) await vault.importKeys(keys.slice(i, i + 5000));
  }
  let sealed = 0;
  for (const e of regs) {
    const p = (e.data as { petitioner: { petitionerId: string; sealed: string } }).petitioner;
    const who = year.petitioners.get(p.petitionerId)!;
    p.sealed = vault ? await vault.seal(p.petitionerId, { name: who.name, phone: who.phone }) : Buffer.from('synthetic').toString('base64');
    if (++sealed % 500 === 0 || sealed === regs.length) onProgress({ phase: 'seal', done: sealed, total: regs.length });
  }
  const t2 = Date.now();

  const ordered = store.kind === 'sqlite';
  let first = 0;
  let last = 0;
  let done = 0;
  for (let i = 0; i < year.events.length; ) {
    const round: typeof year.events = [];
    const streams = new Set<string>();
    while (i < year.events.length && round.length < ROUND) {
      const e = year.events[i];
      if (!ordered && streams.has(e.streamId)) break;
      streams.add(e.streamId);
      round.push(e);
      i++;
    }
    const results = await Promise.all(round.map(({ streamId, expectedRevision, ...e }) => store.append(streamId, [e], expectedRevision)));
    if (!first) first = results[0].lastPosition;
    last = Math.max(last, ...results.map((r) => r.lastPosition));
    done += round.length;
    onProgress({ phase: 'append', done, total: year.events.length });
  }
  return {
    cases: year.cases, events: year.events.length, firstPosition: first, lastPosition: last,
    ms: { generate: t1 - t0, seal: t2 - t1, append: Date.now() - t2 },
  };
}
