import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { Pool } from 'pg';
import { WalSync } from '@lianban/eventstore';

/** What was first answered to one (caller, Idempotency-Key). */
export interface IdempotencyRecord {
  fingerprint: string;
  /** null while the first request is still running */
  status: number | null;
  /** the answer's body, encrypted (Idempotency) */
  response: Buffer | null;
  createdAt: string;
}

export type Claim = { claimed: true } | { claimed: false; record: IdempotencyRecord };

export type AuditAction = 'personal-data.read' | 'personal-data.erased';

/** One line of the audit log: who did what to whose personal data, when, through which route. */
export interface AuditEntry {
  id: number;
  /** wall-clock time of the access (never the dev clock header) */
  at: string;
  actor: { sub: string; role: string; agency: string | null };
  action: AuditAction;
  caseId: string | null;
  petitionerId: string | null;
  /** the route or use, e.g. `GET /v1/cases/{caseId}` */
  purpose: string;
  detail: string | null;
}

export interface AuditQuery {
  caseId?: string;
  petitionerId?: string;
  actor?: string;
  action?: AuditAction;
  from?: string;
  to?: string;
  /** entries with a smaller id (the next page of a newest-first listing) */
  before?: number;
  limit: number;
}

/**
 * The security tables, in the store's own database: the Idempotency-Key records and the audit log.
 * SQLite: the store's file, through the store's connection (its transactions never span an await,
 * so statements from here interleave safely); PostgreSQL: the store's database; EventStoreDB has no
 * tables, so a SQLite file under DATA_DIR, like the key table.
 */
export interface SecurityStore {
  /**
   * Claims (scope, key) for a request: claimed when nobody had it, when its holder's request
   * died without an answer (pending longer than `staleMs`) or when its answer expired (`ttlMs`);
   * otherwise the record of the earlier request.
   */
  claim(scope: string, key: string, fingerprint: string, now: Date, staleMs: number, ttlMs: number): Promise<Claim>;
  complete(scope: string, key: string, status: number, response: Buffer): Promise<void>;
  /** the request failed: the key may be used again */
  release(scope: string, key: string): Promise<void>;
  /**
   * Frees every key still waiting for its first answer. Only for a process that knows it is the
   * table's one user and has just started (embedded mode): those requests died with their process.
   */
  releaseAbandoned(): Promise<number>;
  appendAudit(entry: Omit<AuditEntry, 'id'>): Promise<void>;
  readAudit(query: AuditQuery): Promise<AuditEntry[]>;
  close(): Promise<void>;
}

interface AuditRow {
  id: number;
  at: string;
  actor_sub: string;
  actor_role: string;
  actor_agency: string | null;
  action: AuditAction;
  case_id: string | null;
  petitioner_id: string | null;
  purpose: string;
  detail: string | null;
}

const toEntry = (r: AuditRow): AuditEntry => ({
  id: Number(r.id), at: new Date(r.at).toISOString(), actor: { sub: r.actor_sub, role: r.actor_role, agency: r.actor_agency }, action: r.action,
  caseId: r.case_id, petitionerId: r.petitioner_id, purpose: r.purpose, detail: r.detail,
});

function auditFilter(q: AuditQuery, param: (i: number) => string): { where: string; values: unknown[] } {
  const parts: string[] = [];
  const values: unknown[] = [];
  const add = (sql: string, v: unknown) => {
    values.push(v);
    parts.push(sql.replace('?', param(values.length)));
  };
  if (q.caseId) add('case_id = ?', q.caseId);
  if (q.petitionerId) add('petitioner_id = ?', q.petitionerId);
  if (q.actor) add('actor_sub = ?', q.actor);
  if (q.action) add('action = ?', q.action);
  if (q.from) add('at >= ?', q.from);
  if (q.to) add('at < ?', q.to);
  if (q.before) add('id < ?', q.before);
  return { where: parts.length ? `WHERE ${parts.join(' AND ')}` : '', values };
}

/**
 * Durability without a sync on the event loop: the writes commit without one (WalSync) and what
 * must be on disk before the caller answers waits for the connection's next off-thread WAL sync,
 * shared with the event store's appends when the connection is the store's: a completed answer
 * (before it is sent) and an audit entry (before the data it records is handed out), and a stored
 * answer before it is replayed (it may be one whose sync is still running). A claim and a release
 * do not wait: a claim lost to a power cut is a request that never answered (the event store's own
 * sync comes later in the same WAL, and recovery keeps a prefix), a lost release is a key left
 * pending, which `releaseAbandoned` frees at the next start. The start-up sweep stays FULL.
 */
export class SqliteSecurityStore implements SecurityStore {
  private readonly own: boolean;
  private readonly db: Database.Database;
  private readonly wal: WalSync;

  /** `db` is the event store's connection; a path opens a file of our own */
  constructor(db: Database.Database | string) {
    if (typeof db === 'string') {
      fs.mkdirSync(path.dirname(db), { recursive: true });
      this.db = new Database(db);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = FULL');
      this.db.pragma('busy_timeout = 5000');
      this.own = true;
    } else {
      this.db = db;
      this.own = false;
    }
    this.wal = WalSync.of(this.db);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS idempotency_keys (
        scope       TEXT NOT NULL,
        key         TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        status      INTEGER,
        response    BLOB,
        created_at  TEXT NOT NULL,
        PRIMARY KEY (scope, key)
      );
      CREATE TABLE IF NOT EXISTS audit_log (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        at            TEXT NOT NULL,
        actor_sub     TEXT NOT NULL,
        actor_role    TEXT NOT NULL,
        actor_agency  TEXT,
        action        TEXT NOT NULL,
        case_id       TEXT,
        petitioner_id TEXT,
        purpose       TEXT NOT NULL,
        detail        TEXT
      );
      CREATE INDEX IF NOT EXISTS audit_log_case ON audit_log (case_id);
    `);
  }

  async claim(scope: string, key: string, fingerprint: string, now: Date, staleMs: number, ttlMs: number): Promise<Claim> {
    const claim = this.wal.unsynced(() => this.db.transaction((): Claim => {
      const row = this.db.prepare('SELECT fingerprint, status, response, created_at FROM idempotency_keys WHERE scope = ? AND key = ?')
        .get(scope, key) as { fingerprint: string; status: number | null; response: Buffer | null; created_at: string } | undefined;
      const age = row ? now.getTime() - Date.parse(row.created_at) : 0;
      if (!row || age > ttlMs || (row.status === null && age > staleMs)) {
        this.db.prepare('INSERT OR REPLACE INTO idempotency_keys (scope, key, fingerprint, status, response, created_at) VALUES (?, ?, ?, NULL, NULL, ?)')
          .run(scope, key, fingerprint, now.toISOString());
        return { claimed: true };
      }
      return { claimed: false, record: { fingerprint: row.fingerprint, status: row.status, response: row.response, createdAt: row.created_at } };
    }).immediate());
    if (!claim.claimed && claim.record.status !== null) await this.wal.sync();
    return claim;
  }

  async complete(scope: string, key: string, status: number, response: Buffer): Promise<void> {
    this.wal.unsynced(() => this.db.prepare('UPDATE idempotency_keys SET status = ?, response = ? WHERE scope = ? AND key = ?').run(status, response, scope, key));
    await this.wal.sync();
  }

  async release(scope: string, key: string): Promise<void> {
    this.wal.unsynced(() => this.db.prepare('DELETE FROM idempotency_keys WHERE scope = ? AND key = ? AND status IS NULL').run(scope, key));
  }

  async releaseAbandoned(): Promise<number> {
    return this.db.prepare('DELETE FROM idempotency_keys WHERE status IS NULL').run().changes;
  }

  async appendAudit(e: Omit<AuditEntry, 'id'>): Promise<void> {
    this.wal.unsynced(() => this.db.prepare(`INSERT INTO audit_log (at, actor_sub, actor_role, actor_agency, action, case_id, petitioner_id, purpose, detail)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(e.at, e.actor.sub, e.actor.role, e.actor.agency, e.action, e.caseId, e.petitionerId, e.purpose, e.detail));
    await this.wal.sync();
  }

  async readAudit(q: AuditQuery): Promise<AuditEntry[]> {
    const { where, values } = auditFilter(q, () => '?');
    const rows = this.db.prepare(`SELECT * FROM audit_log ${where} ORDER BY id DESC LIMIT ?`).all(...values, q.limit) as AuditRow[];
    return rows.map(toEntry);
  }

  async close(): Promise<void> {
    if (this.own && this.db.open) {
      await this.wal.close();
      this.db.close();
    }
  }
}

export class PostgresSecurityStore implements SecurityStore {
  private constructor(private readonly pool: Pool) {}

  static async connect(connectionString: string): Promise<PostgresSecurityStore> {
    const pool = new Pool({ connectionString, max: 4 });
    pool.on('error', () => undefined);
    const client = await pool.connect().catch(async (error: Error) => {
      await pool.end().catch(() => undefined);
      throw new Error(`PostgreSQL security tables: cannot connect: ${error.message}`);
    });
    try {
      await client.query('BEGIN');
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('lianban.security:schema'))`);
      await client.query(`
        CREATE TABLE IF NOT EXISTS idempotency_keys (
          scope       text        NOT NULL,
          key         text        NOT NULL,
          fingerprint text        NOT NULL,
          status      integer,
          response    bytea,
          created_at  timestamptz NOT NULL,
          PRIMARY KEY (scope, key)
        )`);
      await client.query(`
        CREATE TABLE IF NOT EXISTS audit_log (
          id            bigserial   PRIMARY KEY,
          at            timestamptz NOT NULL,
          actor_sub     text        NOT NULL,
          actor_role    text        NOT NULL,
          actor_agency  text,
          action        text        NOT NULL,
          case_id       text,
          petitioner_id text,
          purpose       text        NOT NULL,
          detail        text
        )`);
      await client.query('CREATE INDEX IF NOT EXISTS audit_log_case ON audit_log (case_id)');
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
      await pool.end().catch(() => undefined);
      throw new Error(`PostgreSQL security tables: cannot create them: ${(error as Error).message}`);
    }
    client.release();
    return new PostgresSecurityStore(pool);
  }

  async claim(scope: string, key: string, fingerprint: string, now: Date, staleMs: number, ttlMs: number): Promise<Claim> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      // a second process inserting the same key waits on the unique index until the first commits
      const inserted = await client.query('INSERT INTO idempotency_keys (scope, key, fingerprint, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [scope, key, fingerprint, now.toISOString()]);
      let claim: Claim;
      if (inserted.rowCount === 1) {
        claim = { claimed: true };
      } else {
        const { rows } = await client.query<{ fingerprint: string; status: number | null; response: Buffer | null; created_at: Date }>(
          'SELECT fingerprint, status, response, created_at FROM idempotency_keys WHERE scope = $1 AND key = $2 FOR UPDATE', [scope, key],
        );
        const row = rows[0];
        const age = row ? now.getTime() - row.created_at.getTime() : 0;
        if (!row) {
          // released by its failed request between our insert and this read
          await client.query('INSERT INTO idempotency_keys (scope, key, fingerprint, created_at) VALUES ($1, $2, $3, $4)', [scope, key, fingerprint, now.toISOString()]);
          claim = { claimed: true };
        } else if (age > ttlMs || (row.status === null && age > staleMs)) {
          await client.query('UPDATE idempotency_keys SET fingerprint = $3, status = NULL, response = NULL, created_at = $4 WHERE scope = $1 AND key = $2', [scope, key, fingerprint, now.toISOString()]);
          claim = { claimed: true };
        } else {
          claim = { claimed: false, record: { fingerprint: row.fingerprint, status: row.status, response: row.response, createdAt: row.created_at.toISOString() } };
        }
      }
      await client.query('COMMIT');
      return claim;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async complete(scope: string, key: string, status: number, response: Buffer): Promise<void> {
    await this.pool.query('UPDATE idempotency_keys SET status = $3, response = $4 WHERE scope = $1 AND key = $2', [scope, key, status, response]);
  }

  async release(scope: string, key: string): Promise<void> {
    await this.pool.query('DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND status IS NULL', [scope, key]);
  }

  async releaseAbandoned(): Promise<number> {
    return (await this.pool.query('DELETE FROM idempotency_keys WHERE status IS NULL')).rowCount ?? 0;
  }

  async appendAudit(e: Omit<AuditEntry, 'id'>): Promise<void> {
    await this.pool.query(
      `INSERT INTO audit_log (at, actor_sub, actor_role, actor_agency, action, case_id, petitioner_id, purpose, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [e.at, e.actor.sub, e.actor.role, e.actor.agency, e.action, e.caseId, e.petitionerId, e.purpose, e.detail],
    );
  }

  async readAudit(q: AuditQuery): Promise<AuditEntry[]> {
    const { where, values } = auditFilter(q, (i) => `$${i}`);
    const { rows } = await this.pool.query<AuditRow>(`SELECT * FROM audit_log ${where} ORDER BY id DESC LIMIT $${values.length + 1}`, [...values, q.limit]);
    return rows.map(toEntry);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
