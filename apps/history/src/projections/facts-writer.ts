import { Worker } from 'node:worker_threads';
import type { ProjectionMeta } from './facts-store';

/** One statement and its arguments, as the writer thread runs it. */
export type Op = [statement: string, ...args: unknown[]];

type Reply = { id: number; rows?: unknown[]; error?: string };

/**
 * The writer thread's own code: a connection of its own that holds the rebuild's transaction and
 * runs the statements it is sent, in order. Plain JavaScript evaluated in the worker, so the
 * same code runs from the built app and from the TypeScript under test. After a failure it
 * rolls back and answers every later message with that failure.
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlite);
const db = new Database(workerData.file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('busy_timeout = 10000');
const stmts = {};
for (const [k, sql] of Object.entries(workerData.sql)) stmts[k] = db.prepare(sql);
let failed = null;
parentPort.on('message', (m) => {
  try {
    // after a failure the connection is still closed when asked (its transaction was rolled back)
    if (m.kind === 'close') { db.close(); parentPort.postMessage({ id: m.id }); return; }
    if (failed) throw failed;
    let rows;
    if (m.kind === 'begin') { db.exec('BEGIN IMMEDIATE'); rows = stmts.meta.all(); }
    else if (m.kind === 'write') for (const [k, ...args] of m.ops) stmts[k].run(...args);
    else if (m.kind === 'read') rows = stmts[m.statement].all(...m.args);
    else if (m.kind === 'commit') db.exec('COMMIT');
    else if (m.kind === 'rollback') { if (db.inTransaction) db.exec('ROLLBACK'); }
    parentPort.postMessage({ id: m.id, rows });
  } catch (e) {
    if (!failed) { failed = e; if (db.open && db.inTransaction) db.exec('ROLLBACK'); }
    parentPort.postMessage({ id: m.id, error: e instanceof Error ? e.message : String(e) });
  }
});
`;

/**
 * A full rebuild's writes on a second thread (SqliteFactsStore.inOneTransaction): the main
 * thread reads and folds the events while this one writes the previous page's versions, which
 * was a third of a rebuild's time on one thread. A page's statements go as one message;
 * `send` waits for the page before it, so at most two pages are in flight. The store mirrors
 * the meta row it writes (`meta`), since the transaction's writes are this connection's alone.
 */
export class FactsWriter {
  /** the statements of the page being applied, sent by `send` */
  ops: Op[] = [];
  meta: ProjectionMeta = { checkpoint: 0, version: null, generation: 0 };
  private readonly waiting = new Map<number, { resolve: (r: unknown[] | undefined) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private inFlight: Promise<unknown> = Promise.resolve();
  private failure: Error | null = null;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (r: Reply) => {
      // a reply to a request fail() has already answered
      const w = this.waiting.get(r.id);
      if (!w) return;
      this.waiting.delete(r.id);
      if (r.error !== undefined) w.reject(new Error(r.error));
      else w.resolve(r.rows);
    });
    worker.on('error', (e) => this.fail(e));
    worker.on('exit', () => this.fail(new Error('the projection writer thread stopped')));
  }

  /** A writer thread holding the write lock of `file`, with the meta row as it stood then. */
  static async start(file: string, sql: Record<string, string>): Promise<FactsWriter> {
    const worker = new Worker(WORKER, { eval: true, workerData: { file, sql, sqlite: require.resolve('better-sqlite3') } });
    const writer = new FactsWriter(worker);
    let rows: { key: string; value: string }[];
    try {
      rows = (await writer.ask({ kind: 'begin' })) as { key: string; value: string }[];
    } catch (e) {
      await writer.stop();
      throw e;
    }
    const m = new Map(rows.map((r) => [r.key, r.value]));
    writer.meta = { checkpoint: Number(m.get('checkpoint') ?? 0), version: m.get('version') ?? null, generation: Number(m.get('generation') ?? 0) };
    return writer;
  }

  /** Sends the statements gathered so far; resolves once the batch sent before them is written. */
  async send(): Promise<void> {
    const before = this.inFlight;
    if (this.ops.length) {
      const ops = this.ops;
      this.ops = [];
      this.inFlight = this.ask({ kind: 'write', ops });
      // a failure is answered to the next send, or to commit
      this.inFlight.catch(() => undefined);
    }
    await before;
  }

  async all(statement: string, args: unknown[]): Promise<unknown[]> {
    await this.send();
    return (await this.ask({ kind: 'read', statement, args })) as unknown[];
  }

  async commit(): Promise<void> {
    await this.send();
    await this.inFlight;
    await this.ask({ kind: 'commit' });
  }

  async rollback(): Promise<void> {
    this.ops = [];
    await this.ask({ kind: 'rollback' }).catch(() => undefined);
  }

  async stop(): Promise<void> {
    await this.ask({ kind: 'close' }).catch(() => undefined);
    await this.worker.terminate();
  }

  private ask(message: Record<string, unknown>): Promise<unknown[] | undefined> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ ...message, id });
    });
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
  }
}
