import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import type { NewEvent, StoredEvent } from '@lianban/contracts';
import { PostgresKeyVault, SqliteKeyVault } from '@lianban/auth';
import { PostgresEventStore, SqliteEventStore, readAllStream, type EventStore } from '@lianban/eventstore';
import { createTestDatabase, type TestDatabase } from '@lianban/testing/postgres';
import { EXIT, runMigrateStore } from './migrate-store';
import { MIGRATION_CHECKPOINT } from './store-migration/migrate';

/**
 * The migration CLI against real stores: SQLite files under os.tmpdir() and the PostgreSQL
 * server of the integration tier (each test its own database, dropped afterwards).
 */
const quiet = { warn: () => undefined };
const ROOT = path.resolve(__dirname, '..');
const BUILT_CLI = path.join(ROOT, 'dist/scripts/migrate-store.js');

class Captured {
  text = '';
  isTTY = false;
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Captured();
  const stderr = new Captured();
  const code = await runMigrateStore(argv, { stdout, stderr });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'lianban-migrate-'));
}

/** Events as the apps write them, with what the copy must keep exactly: unicode, key order, nulls. */
function envelope(caseId: string, i: number, agencyId: string | null): NewEvent {
  return {
    id: randomUUID(),
    type: i % 5 === 0 ? 'lianban.case.registered.v1' : 'lianban.task.action-recorded.v1',
    caseId,
    causationId: i % 4 === 0 ? null : randomUUID(),
    region: i % 3 === 0 ? 'sc' : 'cq',
    ...(agencyId ? { agencyId } : {}),
    actor: { id: `caseworker-${i}@500112-rsj`, role: 'caseworker' },
    occurredAt: new Date(Date.UTC(2021, 4, 4, 2, 12) + i * 60_000).toISOString(),
    hlc: `${String(1620094320000 + i).padStart(16, '0')}-${String(i % 7).padStart(4, '0')}-cq`,
    // keys deliberately unsorted (jsonb reorders them), emoji, nulls, floats, nesting
    data: { zeta: i, alpha: '拖欠工资 🧾', mid: { y: [1.5, null, '"quoted"'], b: i % 2 === 0 }, empty: '', n: -0.25 },
  };
}

interface SourceFixture {
  dir: string;
  events: StoredEvent[];
  sealed: Map<string, string>;
}

/** A SQLite DATA_DIR with `streams` case streams of `perStream` events, keys, and a subscriber checkpoint. */
async function sqliteSource(streams: number, perStream: number, petitioners = 5): Promise<SourceFixture> {
  const dir = tempDir();
  const store = SqliteEventStore.open(path.join(dir, 'events.sqlite'), { logger: quiet });
  try {
    const ids = Array.from({ length: streams }, () => randomUUID());
    // interleaved writers: the global order mixes streams, as a live region does
    for (let round = 0; round < perStream; round += 10) {
      await Promise.all(
        ids.map((caseId, s) => {
          const batch = Array.from({ length: Math.min(10, perStream - round) }, (_, k) =>
            envelope(caseId, round + k, s % 2 === 0 ? '500112-rsj' : null),
          );
          return store.append(`case-${caseId}`, batch, round === 0 ? 'no-stream' : round - 1);
        }),
      );
    }
    const events = await collect(store);
    await store.saveCheckpoint('case-answered', events[Math.floor(events.length / 2)].position);
    const vault = new SqliteKeyVault(path.join(dir, 'keys.sqlite'));
    const sealed = new Map<string, string>();
    for (let p = 0; p < petitioners; p++) sealed.set(`petitioner-${p}`, await vault.seal(`petitioner-${p}`, { name: `信访人${p}`, phone: '13900000000' }));
    await vault.close();
    return { dir, events, sealed };
  } finally {
    await store.close();
  }
}

async function collect(store: EventStore): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for await (const e of readAllStream(store, { pageSize: 1000 })) out.push(e);
  return out;
}

async function withPostgres<T>(db: TestDatabase, fn: (store: PostgresEventStore) => Promise<T>): Promise<T> {
  const store = await PostgresEventStore.connect(db.url, { logger: quiet });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

async function sql(db: TestDatabase, text: string, params: unknown[] = []): Promise<any[]> {
  const client = new Client({ connectionString: db.url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows;
  } finally {
    await client.end();
  }
}

function shaLines(stdout: string, what: string): string[] {
  return [...stdout.matchAll(new RegExp(`verify ${what}: (?:source|target) (\\d+) sha256 ([0-9a-f]{64})`, 'g'))].map((m) => `${m[1]} ${m[2]}`);
}

describe('npm run migrate-store: SQLite -> PostgreSQL', () => {
  jest.setTimeout(120_000);
  const databases: TestDatabase[] = [];
  const dirs: string[] = [];
  async function database(): Promise<TestDatabase> {
    const db = await createTestDatabase('lianban_migrate');
    databases.push(db);
    return db;
  }
  async function source(streams: number, perStream: number): Promise<SourceFixture> {
    const fixture = await sqliteSource(streams, perStream);
    dirs.push(fixture.dir);
    return fixture;
  }
  afterAll(async () => {
    for (const db of databases) await db.drop();
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('copies every event with its id, stream, revision, position, metadata, data and recordedAt, the keys and the checkpoints, and verifies', async () => {
    const src = await source(25, 100);
    const db = await database();
    const result = await run('--from', `sqlite:${src.dir}`, '--to', db.url, '--batch', '300');
    expect(result.stderr).not.toMatch(/failed|MISMATCH/);
    expect(result.code).toBe(EXIT.ok);

    const copied = await withPostgres(db, collect);
    expect(copied).toHaveLength(2500);
    // positions and recordedAt included: a faithful copy, not a replay
    expect(copied).toEqual(src.events.map((e) => ({ ...e, agencyId: e.agencyId ?? null })));
    expect(copied[0].recordedAt).toBe(src.events[0].recordedAt);

    const [s, t] = shaLines(result.stdout, 'events');
    expect(s).toBe(`2500 ${t.split(' ')[1]}`);
    expect(result.stdout).toContain('verify events: OK');
    expect(result.stdout).toContain('verify keys: OK');
    expect(result.stdout).toMatch(/events: 2500 copied, 0 already there, in [\d.]+ s \(\d+ events\/s\)/);
    expect(result.stderr).toMatch(/copying\s+\[#+\]\s+100\.0%\s+2,500\/2,500\s+[\d,]+ ev\/s/);

    const vault = await PostgresKeyVault.connect(db.url);
    try {
      for (const [petitioner, sealed] of src.sealed) {
        expect(await vault.open(petitioner, sealed)).toEqual({ name: expect.stringMatching(/^信访人/), phone: '13900000000' });
      }
    } finally {
      await vault.close();
    }
    await withPostgres(db, async (store) => {
      expect(await store.loadCheckpoint('case-answered')).toBe(src.events[1250].position);
      // the migrated store takes new appends after what was copied
      const stream = src.events[0].streamId;
      const appended = await store.append(stream, [envelope('x', 1, null)], 99);
      expect(appended.lastPosition).toBeGreaterThan(src.events[2499].position);
    });
  });

  it('stops at --limit and resumes where it stopped, never copying an event twice', async () => {
    const src = await source(10, 100);
    const db = await database();
    const args = ['--from', `sqlite:${src.dir}`, '--to', db.url, '--batch', '300'];

    const first = await run(...args, '--limit', '700');
    expect(first.code).toBe(EXIT.incomplete);
    expect(first.stdout).toContain('stopped after 700 of 1000 events (--limit)');
    expect(first.stdout).not.toContain('verify');
    expect((await sql(db, 'SELECT count(*)::int AS n FROM events'))[0].n).toBe(700);
    await withPostgres(db, async (store) => expect(await store.loadCheckpoint(MIGRATION_CHECKPOINT)).toBe(src.events[699].position));

    const second = await run(...args);
    expect(second.code).toBe(EXIT.ok);
    expect(second.stdout).toContain(`resuming after source position ${src.events[699].position}: 300 events left`);
    expect(second.stdout).toContain('events: 300 copied, 0 already there');
    expect((await withPostgres(db, collect)).map((e) => e.id)).toEqual(src.events.map((e) => e.id));
    expect((await sql(db, 'SELECT count(DISTINCT id)::int AS d, count(*)::int AS n FROM events'))[0]).toEqual({ d: 1000, n: 1000 });

    // once complete, running it again copies nothing and verifies again
    const third = await run(...args);
    expect(third.code).toBe(EXIT.ok);
    expect(third.stdout).toContain('events: 0 copied, 0 already there');
    expect(third.stdout).toContain('keys: 0 copied, 5 already there');
  });

  it('re-sends a batch whose checkpoint was lost (a crash between events and checkpoint) and skips what is there', async () => {
    const src = await source(6, 50);
    const db = await database();
    const args = ['--from', `sqlite:${src.dir}`, '--to', db.url, '--batch', '40'];
    expect((await run(...args, '--limit', '200')).code).toBe(EXIT.incomplete);
    // EventStoreDB saves the checkpoint after the events: model a crash in between
    await withPostgres(db, (store) => store.saveCheckpoint(MIGRATION_CHECKPOINT, src.events[119].position));
    const resumed = await run(...args);
    expect(resumed.code).toBe(EXIT.ok);
    expect(resumed.stdout).toContain('events: 100 copied, 80 already there');
    expect((await sql(db, 'SELECT count(*)::int AS n FROM events'))[0].n).toBe(300);
  });

  it('fails verification, exit 1, when the target differs: an altered event, a missing key, a source that grew', async () => {
    const src = await source(5, 40);
    const db = await database();
    const args = ['--from', `sqlite:${src.dir}`, '--to', db.url];
    expect((await run(...args)).code).toBe(EXIT.ok);

    const victim = src.events[77];
    await sql(db, `UPDATE events SET data = jsonb_set(data, '{alpha}', '"篡改"') WHERE id = $1`, [victim.id]);
    const altered = await run(...args, '--verify-only');
    expect(altered.code).toBe(EXIT.failed);
    expect(altered.stdout).toContain(`verify events: MISMATCH: event #78 (source ${victim.id}) differs: data:`);
    expect(altered.stderr).toContain('NOT a faithful copy');
    const [s, t] = shaLines(altered.stdout, 'events');
    expect(s.split(' ')[0]).toBe(t.split(' ')[0]);
    expect(s).not.toBe(t);
    await sql(db, `UPDATE events SET data = jsonb_set(data, '{alpha}', '"拖欠工资 🧾"') WHERE id = $1`, [victim.id]);
    expect((await run(...args, '--verify-only')).code).toBe(EXIT.ok);

    await sql(db, `DELETE FROM petitioner_keys WHERE petitioner_id = 'petitioner-3'`);
    const lostKey = await run(...args, '--verify-only');
    expect(lostKey.code).toBe(EXIT.failed);
    expect(lostKey.stdout).toContain('verify keys: MISMATCH: key #4: source "petitioner-3" vs target "petitioner-4"');
    expect(lostKey.stdout).not.toMatch(/[0-9a-f]{64}\t/);
    // the copy puts it back (the key table is copied on every run)
    expect((await run(...args)).code).toBe(EXIT.ok);

    const store = SqliteEventStore.open(path.join(src.dir, 'events.sqlite'), { logger: quiet });
    const late = envelope(src.events[0].caseId, 999, null);
    await store.append(src.events[0].streamId, [late], 39);
    await store.close();
    const grown = await run(...args, '--verify-only');
    expect(grown.code).toBe(EXIT.failed);
    expect(grown.stdout).toContain(`verify events: MISMATCH: event #201: the source's ${late.id}`);
    const caughtUp = await run(...args);
    expect(caughtUp.code).toBe(EXIT.ok);
    expect(caughtUp.stdout).toContain('events: 1 copied');
  });

  it('refuses, exit 2, what it must not do: a target holding other events, a missing source, bad arguments', async () => {
    const src = await source(2, 10);
    const db = await database();
    await withPostgres(db, (store) => store.append('case-other', [envelope('other', 1, null)], 'no-stream'));
    const mixed = await run('--from', `sqlite:${src.dir}`, '--to', db.url);
    expect(mixed.code).toBe(EXIT.usage);
    expect(mixed.stderr).toContain('already holds events that no migration put there');
    expect((await sql(db, 'SELECT count(*)::int AS n FROM events'))[0].n).toBe(1);

    const nowhere = path.join(tempDir(), 'typo');
    const missing = await run('--from', `sqlite:${nowhere}`, '--to', (await database()).url);
    expect(missing.code).toBe(EXIT.usage);
    expect(missing.stderr).toContain(`no event store at ${path.join(nowhere, 'events.sqlite')}`);
    expect(fs.existsSync(nowhere)).toBe(false);

    expect((await run('--from', `sqlite:${src.dir}`)).stderr).toContain('--from and --to are both required');
    expect((await run('--from', `sqlite:${src.dir}`, '--to', `sqlite:${src.dir}`)).code).toBe(EXIT.usage);
    expect((await run('--from', `sqlite:${src.dir}`, '--to', 'mysql://x')).stderr).toContain('expected sqlite:<dir>, postgres://… or esdb://…');
    expect((await run('--from', `sqlite:${src.dir}`, '--to', db.url, '--batch', '0')).code).toBe(EXIT.usage);
    expect((await run('--from', `sqlite:${src.dir}`, '--to', db.url, '--bogus')).code).toBe(EXIT.usage);
    const esdbKeys = await run('--from', `sqlite:${src.dir}`, '--to', 'esdb://127.0.0.1:1?tls=false');
    expect(esdbKeys.code).toBe(EXIT.usage);
    expect(esdbKeys.stderr).toContain('--to-keys <dir>');
  });

  it('fails loudly, exit 1, when the EventStoreDB target is not there', async () => {
    const src = await source(1, 5);
    const keys = tempDir();
    dirs.push(keys);
    const r = await run('--from', `sqlite:${src.dir}`, '--to', 'esdb://admin:changeit@127.0.0.1:1?tls=false', '--to-keys', keys);
    expect(r.code).toBe(EXIT.failed);
    expect(r.stderr).toContain('EventStoreDB at esdb://***@127.0.0.1:1?tls=false is unreachable');
    expect(r.stderr).not.toContain('changeit');
  });

  it('copies PostgreSQL back into SQLite, keys into keys.sqlite (the symmetric case)', async () => {
    const src = await source(8, 30);
    const db = await database();
    expect((await run('--from', `sqlite:${src.dir}`, '--to', db.url)).code).toBe(EXIT.ok);
    const back = path.join(tempDir(), 'data');
    dirs.push(path.dirname(back));
    const r = await run('--from', db.url, '--to', `sqlite:${back}`, '--batch', '64');
    expect(r.code).toBe(EXIT.ok);
    const store = SqliteEventStore.open(path.join(back, 'events.sqlite'), { logger: quiet });
    try {
      expect(await collect(store)).toEqual(src.events.map((e) => ({ ...e, agencyId: e.agencyId ?? null })));
      expect(await store.loadCheckpoint('case-answered')).toBe(src.events[120].position);
    } finally {
      await store.close();
    }
    const vault = new SqliteKeyVault(path.join(back, 'keys.sqlite'));
    try {
      expect(await vault.open('petitioner-2', src.sealed.get('petitioner-2')!)).toEqual({ name: '信访人2', phone: '13900000000' });
    } finally {
      await vault.close();
    }
    // the three digests agree: sqlite, postgres and the sqlite copy of the postgres copy
    const there = await run('--from', `sqlite:${src.dir}`, '--to', db.url, '--verify-only');
    expect(shaLines(r.stdout, 'events')[0]).toBe(shaLines(there.stdout, 'events')[0]);
  });

  describe('the built command as a separate process (dist/scripts/migrate-store.js)', () => {
    // Deterministic interruption: the test holds the advisory lock every import transaction
    // takes, so the CLI is provably blocked inside a batch when it is signalled.
    const LOCK = `SELECT pg_advisory_lock(hashtext('lianban.events:'))`;
    const WAITING = `SELECT count(*)::int AS n FROM pg_locks
      WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`;

    function startCli(args: string[]) {
      if (!fs.existsSync(BUILT_CLI)) throw new Error(`${BUILT_CLI} is not built: run \`npm run build\` first`);
      const child = spawn(process.execPath, [BUILT_CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.once('exit', (code, signal) => resolve({ code, signal })),
      );
      return { child, exited, output: () => ({ stdout, stderr }) };
    }

    /** Lets the CLI commit some batches, then blocks its next one on the lock; returns the lock holder. */
    async function blockMidway(db: TestDatabase, total: number, cli: ReturnType<typeof startCli>): Promise<Client> {
      const holder = new Client({ connectionString: db.url });
      await holder.connect();
      const deadline = Date.now() + 60_000;
      for (;;) {
        const n = await holder.query('SELECT count(*)::int AS n FROM events').then((r) => r.rows[0].n as number, () => 0);
        if (n > 0) break;
        if (cli.child.exitCode !== null || Date.now() > deadline) throw new Error(`the CLI ended or stalled before copying: ${JSON.stringify(cli.output())}`);
        await new Promise((r) => setTimeout(r, 2));
      }
      await holder.query(LOCK);
      while ((await holder.query(WAITING)).rows[0].n === 0) {
        if (cli.child.exitCode !== null) {
          throw new Error(`the CLI finished all ${total} events before it could be interrupted; make the source larger`);
        }
        await new Promise((r) => setTimeout(r, 5));
      }
      return holder;
    }

    it('killed (SIGKILL) inside a batch, it loses nothing and duplicates nothing: a re-run completes and verifies', async () => {
      const src = await source(60, 500);
      const db = await database();
      const args = ['--from', `sqlite:${src.dir}`, '--to', db.url, '--batch', '100'];
      const cli = startCli(args);
      const holder = await blockMidway(db, 30_000, cli);
      const atKill = (await holder.query('SELECT count(*)::int AS n, coalesce(max(position), 0)::int AS head FROM events')).rows[0];
      cli.child.kill('SIGKILL');
      expect((await cli.exited).signal).toBe('SIGKILL');
      await holder.end();
      expect(atKill.n).toBeGreaterThan(0);
      expect(atKill.n).toBeLessThan(30_000);
      // the checkpoint committed with the last complete batch: exactly what the target holds
      expect((await sql(db, `SELECT position::int AS p FROM checkpoints WHERE id = $1`, [MIGRATION_CHECKPOINT]))[0].p).toBe(atKill.head);

      const resumed = await run(...args);
      expect(resumed.code).toBe(EXIT.ok);
      expect(resumed.stdout).toContain(`events: ${30_000 - atKill.n} copied, 0 already there`);
      expect((await sql(db, 'SELECT count(DISTINCT id)::int AS d, count(*)::int AS n FROM events'))[0]).toEqual({ d: 30_000, n: 30_000 });
    });

    it('on Ctrl-C (SIGINT) it finishes the batch in flight, exits 3, and the next run continues', async () => {
      const src = await source(60, 500);
      const db = await database();
      const args = ['--from', `sqlite:${src.dir}`, '--to', db.url, '--batch', '100'];
      const cli = startCli(args);
      const holder = await blockMidway(db, 30_000, cli);
      const before = (await holder.query('SELECT count(*)::int AS n FROM events')).rows[0].n as number;
      cli.child.kill('SIGINT');
      // the CLI prints once the signal is handled; only then may its blocked batch go on
      const deadline = Date.now() + 30_000;
      while (!cli.output().stderr.includes('stopping after the current batch')) {
        if (Date.now() > deadline) throw new Error(`SIGINT not acknowledged: ${JSON.stringify(cli.output())}`);
        await new Promise((r) => setTimeout(r, 5));
      }
      await holder.end();
      const exit = await cli.exited;
      expect(exit.code).toBe(EXIT.incomplete);
      expect(cli.output().stdout).toContain('(interrupted); run the same command again to continue');
      const after = (await sql(db, 'SELECT count(*)::int AS n FROM events'))[0].n;
      expect(after).toBe(before + 100);

      const resumed = await run(...args);
      expect(resumed.code).toBe(EXIT.ok);
      expect(resumed.stdout).toContain(`events: ${30_000 - after} copied, 0 already there`);
    });
  });
});
