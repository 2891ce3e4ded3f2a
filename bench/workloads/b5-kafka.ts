import * as path from 'node:path';
import Database from 'better-sqlite3';
import { CaseEventTypes } from '@lianban/domain';
import { PostgresEventStore } from '@lianban/eventstore';
import type { LianbanConfig } from '@lianban/platform';
import { deleteTopics, PEOPLE, startDistributedRun, type DistributedRun } from '@lianban/testing/distributed';
import { createTestDatabase } from '@lianban/testing/postgres';
import { agencyInboxFile } from '../../apps/agency/src/inbox-projection/agency-inbox.projection';
import { seedSyntheticYear } from '../../scripts/analytics/seed-store';
import {
  fmt, histogram, ratio, runChild, summarize, usSince,
  type BenchContext, type LatencySummary, type Row, type WorkloadResult,
} from '../lib/common';
import { bearer, HttpClient } from '../lib/http';
import { benchBroker } from '../lib/kafka';
import { petition } from '../lib/procedure';

/**
 * B5 Kafka, in the distributed mode (DESIGN 2) on a real broker.
 *
 * Latency: intake, coordinator (which runs the outbox relay) and the lead agency's service as
 * separate OS processes from the built dist, on one PostgreSQL store. "Registration → visible in
 * the agency's inbox" is what a petitioner's matter goes through before a caseworker can see it:
 * the clerk registers it (intake), the bureau classifies it and assigns it to 北碚区人社局 as
 * lead with 北碚区信访办 co-handling (coordinator), each command sent as soon as the previous one
 * answered; then the relay publishes the events to the agency's topic and the agency process's
 * consumer applies them to its inbox. Measured from the registration request's start to the
 * moment the assignment is committed in the agency's inbox projection (the SQLite file its
 * GET /v1/inbox is served from: the in-memory view is set in the same tick the transaction
 * commits), observed by polling that file read-only every millisecond from the bench process,
 * which costs the agency process nothing (polling its HTTP inbox would: it lists every case).
 * At the end, GET /v1/inbox must list every case measured.
 *
 * Throughput: M events of a synthetic year (the real deciders) already in a PostgreSQL store;
 * the relay publishes them all, against a raw kafkajs producer sending the same messages, in a
 * child process (b5-relay-child.ts).
 */

const LEAD = '500109-rsj';
const CO = '500109-xfb';
const CONCURRENCY = Number(process.env.BENCH_B5_CLIENTS ?? 8);
/** `latency`, `relay`, or both (default) */
const PARTS = (process.env.BENCH_B5 ?? 'latency,relay').split(',');

/** Observes the agency's inbox projection: when each case's assignment has been committed there. */
class InboxWatcher {
  private readonly db: Database.Database;
  private readonly next: Database.Statement<[number, string], { rowid: number; case_id: string; applied_at: string }>;
  private lastRowid = 0;
  private readonly seen = new Map<string, { at: bigint; appliedAt: string }>();
  private readonly waiting = new Map<string, () => void>();
  private polling = false;

  constructor(file: string) {
    this.db = new Database(file, { readonly: true, fileMustExist: true });
    this.next = this.db.prepare('SELECT rowid, case_id, applied_at FROM inbox_applied WHERE rowid > ? AND type = ? ORDER BY rowid');
    this.poll();
  }

  /** resolves with the moment the case's assignment was seen committed (hrtime) and the agency's own stamp */
  visible(caseId: string): Promise<{ at: bigint; appliedAt: string }> {
    const hit = this.seen.get(caseId);
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(caseId);
        reject(new Error(`case ${caseId} did not reach the agency's inbox within 60 s`));
      }, 60_000);
      this.waiting.set(caseId, () => {
        clearTimeout(timer);
        resolve(this.seen.get(caseId)!);
      });
      this.poll();
    });
  }

  private poll(): void {
    if (this.polling) return;
    this.polling = true;
    const tick = () => {
      const rows = this.next.all(this.lastRowid, CaseEventTypes.AgenciesAssigned);
      const at = process.hrtime.bigint();
      for (const r of rows) {
        this.lastRowid = r.rowid;
        this.seen.set(r.case_id, { at, appliedAt: r.applied_at });
        const wake = this.waiting.get(r.case_id);
        if (wake) {
          this.waiting.delete(r.case_id);
          wake();
        }
      }
      if (this.waiting.size === 0) {
        this.polling = false;
        return;
      }
      setTimeout(tick, 1);
    };
    tick();
  }

  close(): void {
    this.db.close();
  }
}

interface CaseTiming {
  caseId: string;
  /** registration request start → assignment seen in the inbox, µs */
  totalUs: number;
  /** the three commands, until the assignment answered, µs */
  commandsUs: number;
  /** assignment answered → seen in the inbox, µs */
  propagationUs: number;
  /** the agency's own applied_at stamp − the wall clock when the assignment answered, ms */
  appliedAfterMs: number;
}

interface LatencyRun {
  cases: number;
  clients: number;
  total: LatencySummary;
  commands: LatencySummary;
  propagation: LatencySummary;
  appliedAfter: LatencySummary;
  seconds: number;
}

async function latencyPart(ctx: BenchContext, brokers: string): Promise<{ sequential: LatencyRun; concurrent: LatencyRun; listed: number }> {
  const run: DistributedRun = await startDistributedRun({
    brokers, distDir: ctx.distDir, label: 'bench-b5',
    // the bench's one client would otherwise hit the per-address limit (B2 does the same)
    env: {
      RATE_LIMIT_IP: 'off', RATE_LIMIT_TOKEN: 'off',
      ...(ctx.cpuProfDir ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${ctx.cpuProfDir}` } : {}),
    },
  });
  const clients: HttpClient[] = [];
  let watcher: InboxWatcher | null = null;
  try {
    try {
      // the coordinator first: its relay creates the region's topics the others subscribe to
      await run.start('coordinator');
      await Promise.all([run.start('intake'), run.start(`agency:${LEAD}`)]);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${run.output()}`);
    }
    const intake = new HttpClient(run.services.get('intake')!.url, CONCURRENCY);
    const coordinator = new HttpClient(run.services.get('coordinator')!.url, CONCURRENCY);
    clients.push(intake, coordinator);
    const clerk = bearer(run.issuer.sign(PEOPLE.clerk));
    const bureau = bearer(run.issuer.sign(PEOPLE.coordinator));
    const inboxFile = agencyInboxFile({ dataDir: run.dataDirs.get(`agency:${LEAD}`)!, agencyId: LEAD } as LianbanConfig);
    const w = (watcher = new InboxWatcher(inboxFile));
    let n = 0;

    const oneCase = async (): Promise<CaseTiming> => {
      const k = n++;
      const ok = async (what: string, r: Promise<{ status: number; body: any }>) => {
        const reply = await r;
        if (reply.status !== 201) throw new Error(`${what}: ${reply.status} ${JSON.stringify(reply.body)}\n${run.output().slice(-4000)}`);
        return reply.body;
      };
      const start = process.hrtime.bigint();
      const reg = await ok('registration', intake.request('POST', '/v1/petitions', { ...petition(k), regionCode: '500109' }, clerk));
      const caseId: string = reg.caseId;
      const seen = w.visible(caseId);
      await ok('classification', coordinator.request('POST', `/v1/cases/${caseId}/classification`, { demandClass: 'claim', category: '城乡建设/房屋质量', route: 'petition' }, bureau));
      await ok('assignment', coordinator.request('POST', `/v1/cases/${caseId}/assignments`, {
        mode: 'assign', agencies: [{ agencyId: LEAD, role: 'lead' }, { agencyId: CO, role: 'co' }],
      }, bureau));
      const assigned = process.hrtime.bigint();
      const assignedWall = Date.now();
      const { at, appliedAt } = await seen;
      return {
        caseId,
        totalUs: Number((at - start) / 1000n),
        commandsUs: Number((assigned - start) / 1000n),
        propagationUs: Math.max(0, Number((at - assigned) / 1000n)),
        appliedAfterMs: Date.parse(appliedAt) - assignedWall,
      };
    };

    const measured: string[] = [];
    const measure = async (cases: number, clientsAtOnce: number): Promise<LatencyRun> => {
      const h = { total: histogram(), commands: histogram(), propagation: histogram() };
      const appliedAfter: number[] = [];
      let left = cases;
      const t0 = process.hrtime.bigint();
      await Promise.all(Array.from({ length: clientsAtOnce }, async () => {
        while (left > 0) {
          left -= 1;
          const t = await oneCase();
          measured.push(t.caseId);
          h.total.recordValue(t.totalUs);
          h.commands.recordValue(t.commandsUs);
          h.propagation.recordValue(Math.max(1, t.propagationUs));
          appliedAfter.push(t.appliedAfterMs);
        }
      }));
      const applied = histogram();
      // ms → µs, shifted so a stamp a little before the answer still records (it is a cross-check)
      for (const ms of appliedAfter) applied.recordValue(Math.max(1, ms * 1000));
      return {
        cases, clients: clientsAtOnce, total: summarize(h.total), commands: summarize(h.commands), propagation: summarize(h.propagation),
        appliedAfter: summarize(applied), seconds: usSince(t0) / 1e6,
      };
    };

    const sequentialCases = Math.max(30, Math.round(200 * ctx.scale));
    const concurrentCases = Math.max(40, Math.round(400 * ctx.scale));
    ctx.log(`B5 latency: intake, coordinator (relay) and agency ${LEAD} as separate processes, PostgreSQL store, Kafka at ${brokers}`);
    for (let i = 0; i < 10; i++) await oneCase(); // warm-up: JIT, connections, the consumer's first fetches
    ctx.log(`  ${sequentialCases} cases one after the other`);
    const sequential = await measure(sequentialCases, 1);
    ctx.log(`    registration → inbox p50 ${sequential.total.p50ms} ms p99 ${sequential.total.p99ms} ms; after the assignment answered p50 ${sequential.propagation.p50ms} ms p99 ${sequential.propagation.p99ms} ms`);
    ctx.log(`  ${concurrentCases} cases, ${CONCURRENCY} at a time`);
    const concurrent = await measure(concurrentCases, CONCURRENCY);
    ctx.log(`    registration → inbox p50 ${concurrent.total.p50ms} ms p99 ${concurrent.total.p99ms} ms; after the assignment answered p50 ${concurrent.propagation.p50ms} ms p99 ${concurrent.propagation.p99ms} ms`);

    // what was measured is what a caseworker sees: the agency's own inbox lists every case
    const caseworker = new HttpClient(run.services.get(`agency:${LEAD}`)!.url, 1);
    clients.push(caseworker);
    const inbox = await caseworker.request<{ caseId: string }[]>('GET', '/v1/inbox?status=all', undefined, bearer(run.issuer.sign(PEOPLE.rsj)));
    if (inbox.status !== 200) throw new Error(`GET /v1/inbox: ${inbox.status} ${JSON.stringify(inbox.body).slice(0, 300)}`);
    const listed = new Set(inbox.body.map((i) => i.caseId));
    const missing = measured.filter((c) => !listed.has(c));
    if (missing.length > 0) throw new Error(`${missing.length} measured cases are not in ${LEAD}'s inbox, e.g. ${missing[0]}`);
    return { sequential, concurrent, listed: listed.size };
  } finally {
    watcher?.close();
    for (const c of clients) c.close();
    // SIGINT first: the processes exit by themselves and --cpu-prof writes its profile
    if (ctx.cpuProfDir) await Promise.allSettled([...run.services.values()].map((s) => s.kill('SIGINT')));
    await run.close();
  }
}

interface RelayChildResult {
  events: number;
  messages: number;
  valueBytes: number;
  batches: number;
  topics: number;
  topicsPerBatch: number;
  relayCallsPerBatch: number;
  runs: {
    variant: 'relay' | 'raw' | 'raw-per-topic' | 'bus'; round: number; seconds: number; events: number; messages: number; written: number;
    split?: { publish: number; route: number; subscription: number };
  }[];
}

interface VariantSummary {
  /** median round */
  seconds: number;
  eventsPerSecond: number;
  messagesPerSecond: number;
  rounds: number[];
}

interface ThroughputResult {
  child: RelayChildResult;
  variants: Record<string, VariantSummary>;
  /** shares of the relay's median round */
  relaySplit: { publishPct: number; routePct: number; subscriptionPct: number };
  seeded: { cases: number; events: number; seconds: number };
}

async function throughputPart(ctx: BenchContext, brokers: string): Promise<ThroughputResult> {
  const cases = Math.max(300, Math.round(1500 * ctx.scale));
  const rounds = Math.max(3, Math.round(3 * ctx.scale));
  const database = await createTestDatabase('lianban_bench_b5');
  const prefix = `bench-b5-relay-${Date.now().toString(36)}.`;
  try {
    const store = await PostgresEventStore.connect(database.url);
    const t0 = Date.now();
    let seeded: { cases: number; events: number };
    try {
      seeded = await seedSyntheticYear(store, null, { cases, seed: 5, year: 2025 });
    } finally {
      await store.close();
    }
    const seedSeconds = (Date.now() - t0) / 1000;
    ctx.log(`B5 relay: ${fmt(seeded.events)} events of ${fmt(seeded.cases)} synthetic cases in PostgreSQL (seeded in ${seedSeconds.toFixed(1)} s); ${rounds} rounds of relay / raw kafkajs / raw one send per topic / the app's bus alone`);
    const { result } = await runChild<RelayChildResult>(ctx, 'bench/workloads/b5-relay-child.ts', [database.url, brokers, prefix, String(rounds)], 'b5-relay');
    for (const r of result.runs) {
      if (r.written !== r.messages) throw new Error(`${r.variant} round ${r.round} sent ${r.messages} messages but the topics grew by ${r.written}`);
    }
    const variants: Record<string, VariantSummary> = {};
    for (const v of ['relay', 'raw', 'raw-per-topic', 'bus'] as const) {
      const secs = result.runs.filter((r) => r.variant === v).map((r) => r.seconds).sort((a, b) => a - b);
      const median = secs[Math.floor(secs.length / 2)];
      variants[v] = {
        seconds: Math.round(median * 1000) / 1000, eventsPerSecond: Math.round(result.events / median), messagesPerSecond: Math.round(result.messages / median),
        rounds: secs.map((s) => Math.round(s * 1000) / 1000),
      };
      ctx.log(`  ${v.padEnd(13)} ${fmt(variants[v].eventsPerSecond)} events/s, ${fmt(variants[v].messagesPerSecond)} messages/s (median of ${secs.map((x) => x.toFixed(2)).join(', ')} s)`);
    }
    // the relay's median round, split: awaiting the broker, routing (case reads, encoding), the subscription (batch reads, checkpoints)
    const relayRuns = result.runs.filter((r) => r.variant === 'relay').sort((a, b) => a.seconds - b.seconds);
    const split = relayRuns[Math.floor(relayRuns.length / 2)].split!;
    const share = (x: number) => Math.round((x / (split.publish + split.route + split.subscription)) * 100);
    const relaySplit = { publishPct: share(split.publish), routePct: share(split.route), subscriptionPct: share(split.subscription) };
    ctx.log(`  relay's time: ${relaySplit.publishPct}% awaiting publish calls, ${relaySplit.routePct}% routing batches (case reads, encoding), ${relaySplit.subscriptionPct}% reading batches and saving checkpoints`);
    return { child: result, variants, relaySplit, seeded: { ...seeded, seconds: seedSeconds } };
  } finally {
    await database.drop().catch(() => undefined);
    await deleteTopics(prefix, brokers).catch(() => undefined);
  }
}

export async function b5Kafka(ctx: BenchContext): Promise<WorkloadResult> {
  const broker = await benchBroker(ctx);
  try {
    const latency = PARTS.includes('latency') ? await latencyPart(ctx, broker.brokers) : null;
    const relay = PARTS.includes('relay') ? await throughputPart(ctx, broker.brokers) : null;
    const rows: Row[] = [];
    const notes: string[] = [];
    if (latency) {
      const { sequential: s, concurrent: c } = latency;
      rows.push({
        measure: `registration → visible in the agency process's inbox (register, classify, assign over HTTP; relay → Kafka → agency consumer), ${s.cases} cases one at a time: p50 / p99`,
        value: `${s.total.p50ms} / ${s.total.p99ms} ms`,
        baseline: `the three commands alone: ${s.commands.p50ms} / ${s.commands.p99ms} ms`, ratio: ratio(s.total.p99ms, s.commands.p99ms), ratioMeaning: 'p99 ÷ commands p99',
        met: null,
      }, {
        measure: `same, ${c.cases} cases, ${c.clients} at a time: p50 / p99`,
        value: `${c.total.p50ms} / ${c.total.p99ms} ms`,
        baseline: `the three commands alone: ${c.commands.p50ms} / ${c.commands.p99ms} ms`, ratio: ratio(c.total.p99ms, c.commands.p99ms), ratioMeaning: 'p99 ÷ commands p99',
        met: null,
      });
      notes.push(
        `Latency split (ms, p50/p99): after the assignment answered, until the inbox has it (relay + Kafka + agency consumer) — one at a time ${s.propagation.p50ms}/${s.propagation.p99ms}, ${c.clients} at a time ${c.propagation.p50ms}/${c.propagation.p99ms}. Cross-check: the agency's own applied_at stamp, taken inside its transaction before the durable commit, is p50 ${s.appliedAfter.p50ms} ms after the answer (what the bench sees adds the commit and at most the 1 ms poll).`,
        `${latency.listed} cases listed by GET /v1/inbox at the end, every measured one among them. Processes from the built dist; ${broker.private ? 'a private broker started for the run' : `the broker at ${broker.brokers}`}.`,
      );
    }
    if (relay) {
      const v = relay.variants;
      rows.push({
        measure: `outbox relay, ${fmt(relay.child.events)} stored events → ${fmt(relay.child.messages)} Kafka messages (case-events + agency topics): throughput`,
        value: `${fmt(v.relay.eventsPerSecond)} events/s (${fmt(v.relay.messagesPerSecond)} messages/s)`,
        baseline: `raw kafkajs producer, same messages and settings, one sendBatch per store batch: ${fmt(v.raw.messagesPerSecond)} messages/s`,
        ratio: ratio(v.raw.seconds, v.relay.seconds), ratioMeaning: 'relay ÷ raw',
        met: null,
      });
      notes.push(
        `Relay: ${relay.child.batches} store batches of 200, each going to ${relay.child.topicsPerBatch.toFixed(1)} topics (${relay.child.topics} in all) in ${relay.child.relayCallsPerBatch.toFixed(1)} publishAll call(s) of at most 512 KiB. Same run, same messages: the app's KafkaBus.publishAll alone ${fmt(v.bus.messagesPerSecond)} messages/s (${ratio(v.raw.seconds, v.bus.seconds)}× raw); the raw producer with one send per topic and store batch, each awaited (the relay's calls before publishAll) ${fmt(v['raw-per-topic'].messagesPerSecond)} messages/s (${ratio(v.raw.seconds, v['raw-per-topic'].seconds)}× raw). Median of ${v.relay.rounds.length} rounds each, taking turns; every round's topics grew by exactly the messages sent. The relay's time: ${relay.relaySplit.publishPct}% awaiting the broker, ${relay.relaySplit.routePct}% routing batches (case reads, encoding), ${relay.relaySplit.subscriptionPct}% reading batches and saving checkpoints.`,
      );
    }
    return {
      id: 'B5', title: 'Kafka: registration → agency inbox; outbox relay', rows,
      details: { brokers: broker.brokers, privateBroker: broker.private, latency, relay }, notes,
    };
  } finally {
    await broker.stop();
  }
}
