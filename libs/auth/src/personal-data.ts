import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { Pool } from 'pg';
import { WalSync } from '@lianban/eventstore';

/** A petitioner's personal data (DESIGN 3.3): never stored in clear in an event body. */
export interface PersonalData {
  name: string;
  phone?: string;
  idNumber?: string;
  address?: string;
}

export const ERASED = '[personal data erased]';

/**
 * Keeps one AES-256-GCM key per petitioner in a key table of its own. Sealing encrypts the
 * personal data with the petitioner's key; deleting the key (crypto-shredding) leaves every
 * event intact but unreadable, so the history survives the person being forgotten.
 */
export interface PersonalDataVault {
  seal(petitionerId: string, data: PersonalData): Promise<string>;
  /**
   * Seals a new petitioner's data under a key of their own, already on disk when it answers;
   * the vault names the petitioner (their key was made before anyone asked for it).
   */
  sealNew(data: PersonalData): Promise<{ petitionerId: string; sealed: string }>;
  /** null when the key was erased */
  open(petitionerId: string, sealed: string): Promise<PersonalData | null>;
  /** true when a key was there to destroy */
  erase(petitionerId: string): Promise<boolean>;
  /** whether the petitioner's key still exists (false: never sealed, or erased) */
  hasKey(petitionerId: string): Promise<boolean>;
  /**
   * Checks the master key against the table (a wrong MASTER_KEY stops the start-up rather than
   * failing every read later) and wraps keys stored before the table was encrypted.
   */
  unlock(): Promise<void>;
  close(): Promise<void>;
}

/**
 * One row of the key table, as copied between tables (scripts/migrate-store). The key is copied
 * as stored — wrapped with the master key — so a migration never handles a petitioner's key in
 * clear and needs no MASTER_KEY; source and target must then be opened with the same master key.
 */
export interface KeyRecord {
  petitionerId: string;
  /** the stored form: wrapped (61 bytes), or 32 bytes from a table older than master keys */
  key: Buffer;
  /** ISO 8601 */
  createdAt: string;
}

export interface KeyVaultOptions {
  /**
   * MASTER_KEY (32 bytes): every petitioner key is stored wrapped with it (AES-256-GCM), so a
   * copy of the key table alone opens nothing. Default: the embedded dev mode's fixed key.
   */
  masterKey?: Buffer;
}

/**
 * Copying a key table into another. Keys are read in the byte order of the petitioner id
 * (UTF-8), the same in both tables, so two tables can be compared row by row.
 */
export interface KeyTable {
  readKeys(after: string | null, limit: number): Promise<KeyRecord[]>;
  countKeys(): Promise<number>;
  /**
   * Stores keys copied from another table. A key already stored identically is skipped (a
   * resumed copy); a different key for the same petitioner is refused, since it would make
   * either side's sealed data unreadable.
   */
  importKeys(keys: KeyRecord[]): Promise<{ imported: number; skipped: number }>;
}

const KEY_BYTES = 32;
const WRAP_VERSION = 1;
/** version, IV, tag, wrapped key */
const WRAPPED_BYTES = 1 + 12 + 16 + KEY_BYTES;

/**
 * The master key of the embedded dev mode (and of tools that open a dev data directory). Fixed and
 * public on purpose: configuration refuses to run anywhere else without MASTER_KEY.
 */
export const DEV_MASTER_KEY: Buffer = Buffer.from(
  crypto.hkdfSync('sha256', 'lianban-dev-master-key-not-for-production', 'lianban', 'key table master key', KEY_BYTES),
);

class MasterKey {
  constructor(private readonly key: Buffer) {
    if (key.length !== KEY_BYTES) throw new Error(`the master key must be ${KEY_BYTES} bytes`);
  }

  /** stored beside the keys: a table wrapped with another master key is recognised at start-up */
  get check(): string {
    return crypto.createHmac('sha256', this.key).update('lianban key table check v1').digest('hex').slice(0, 32);
  }

  wrap(petitionerId: string, key: Buffer): Buffer {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.key, iv);
    // bound to the petitioner: a wrapped key copied onto another petitioner's row does not unwrap
    cipher.setAAD(Buffer.from(`lianban:petitioner-key:${petitionerId}`));
    const body = Buffer.concat([cipher.update(key), cipher.final()]);
    return Buffer.concat([Buffer.from([WRAP_VERSION]), iv, cipher.getAuthTag(), body]);
  }

  opens(petitionerId: string, stored: Buffer): boolean {
    try {
      this.unwrap(petitionerId, stored);
      return true;
    } catch {
      return false;
    }
  }

  unwrap(petitionerId: string, stored: Buffer): Buffer {
    if (stored.length !== WRAPPED_BYTES || stored[0] !== WRAP_VERSION) {
      throw new Error(`the stored key of petitioner ${petitionerId} is not wrapped with a master key`);
    }
    const decipher = crypto.createDecipheriv('aes-256-gcm', this.key, stored.subarray(1, 13));
    decipher.setAAD(Buffer.from(`lianban:petitioner-key:${petitionerId}`));
    decipher.setAuthTag(stored.subarray(13, 29));
    return Buffer.concat([decipher.update(stored.subarray(29)), decipher.final()]);
  }
}

function wrongMasterKey(): Error {
  return new Error('MASTER_KEY does not open this key table: it was encrypted with another master key');
}

function sealWith(key: Buffer, petitionerId: string, data: PersonalData): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
  // bound to the petitioner: a sealed value moved to another petitioner does not open
  cipher.setAAD(Buffer.from(petitionerId));
  const body = Buffer.concat([cipher.update(JSON.stringify(data), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

function openWith(key: Buffer, petitionerId: string, sealed: string): PersonalData {
  const raw = Buffer.from(sealed, 'base64');
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(petitionerId));
  decipher.setAuthTag(raw.subarray(12, 28));
  const text = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  return JSON.parse(text) as PersonalData;
}

function checkKeyRecord(record: KeyRecord): void {
  if (typeof record.petitionerId !== 'string' || record.petitionerId.length === 0) {
    throw new Error('a key record needs a petitioner id');
  }
  const wrapped = record.key?.length === WRAPPED_BYTES && record.key[0] === WRAP_VERSION;
  if (!Buffer.isBuffer(record.key) || (record.key.length !== KEY_BYTES && !wrapped)) {
    throw new Error(`the key of petitioner ${record.petitionerId} is neither a wrapped key nor ${KEY_BYTES} bytes`);
  }
  if (Number.isNaN(Date.parse(record.createdAt))) {
    throw new Error(`the key of petitioner ${record.petitionerId} has no valid createdAt`);
  }
}

function differentKey(petitionerId: string): Error {
  return new Error(
    `petitioner ${petitionerId} already has a different key in the target key table; refusing to overwrite it`,
  );
}

/** a key made ahead for a petitioner to come, in clear: stored wrapped */
interface NewKey {
  petitionerId: string;
  key: Buffer;
}

/** how many keys are made at once for petitioners to come */
const KEY_POOL_BATCH = 64;

/**
 * Keys made ahead for petitioners to come, each handed out only once its batch is on disk. A
 * registration would otherwise wait for its own key's sync (the petitioner's identity must not
 * outlive a power cut less well than the event naming it); a batch shares one sync, made while
 * the previous batch lasts. Keys of a process that stops before handing them out stay in the
 * table for nobody, like the key of a registration that failed after sealing.
 */
class KeyPool {
  private readonly ready: NewKey[] = [];
  private refilling: Promise<void> | null = null;

  constructor(private readonly store: (keys: NewKey[]) => Promise<void>) {}

  async take(): Promise<NewKey> {
    while (this.ready.length === 0) await this.refill();
    const next = this.ready.pop()!;
    // a failed refill is seen by whoever next finds the pool empty
    if (this.ready.length <= KEY_POOL_BATCH / 2) this.refill().catch(() => undefined);
    return next;
  }

  /** resolves once no batch is being stored */
  async settle(): Promise<void> {
    await this.refilling?.catch(() => undefined);
  }

  private refill(): Promise<void> {
    this.refilling ??= (async () => {
      const keys = Array.from({ length: KEY_POOL_BATCH }, () => ({ petitionerId: crypto.randomUUID(), key: crypto.randomBytes(KEY_BYTES) }));
      await this.store(keys);
      this.ready.push(...keys);
    })().finally(() => {
      this.refilling = null;
    });
    return this.refilling;
  }
}

/**
 * The key table in a SQLite file beside the event store (embedded mode).
 *
 * A new petitioner's key must be on disk before the event that names it is appended (else the
 * petitioner's identity is lost with it), but a sync on the process's one thread stops every
 * other request for its duration: it was one blocking sync per registration, a third of all
 * the standalone's syncs. So a new key is committed without a sync and the WAL file is synced
 * from the thread pool before seal() answers (WalSync): the same bytes reach the disk before
 * anything depends on them, as with FULL, while the process goes on serving. Concurrent
 * registrations share one sync. Everything else (erasure above all) stays FULL.
 */
export class SqliteKeyVault implements PersonalDataVault, KeyTable {
  private readonly db: Database.Database;
  private readonly master: MasterKey;
  private unlocked = false;
  private readonly wal: WalSync;
  /** keys inserted without a sync so far, and how many of them a finished sync covered */
  private inserted = 0;
  private synced = 0;
  private readonly fresh = new KeyPool((keys) => this.storeNewKeys(keys));

  constructor(file: string, options: KeyVaultOptions = {}) {
    this.master = new MasterKey(options.masterKey ?? DEV_MASTER_KEY);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.wal = WalSync.of(this.db);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS petitioner_keys (petitioner_id TEXT PRIMARY KEY, key BLOB NOT NULL, created_at TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS key_table_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
    `);
  }

  async unlock(): Promise<void> {
    if (this.unlocked) return;
    this.db.transaction(() => {
      const row = this.db.prepare("SELECT value FROM key_table_meta WHERE name = 'master-key-check'").get() as { value: string } | undefined;
      if (row && row.value !== this.master.check) throw wrongMasterKey();
      if (!row) {
        // keys copied in by a migration, without the check: one of them must open under this master key
        const sample = this.db.prepare('SELECT petitioner_id, key FROM petitioner_keys WHERE length(key) = ? LIMIT 1').get(WRAPPED_BYTES) as { petitioner_id: string; key: Buffer } | undefined;
        if (sample && !this.master.opens(sample.petitioner_id, sample.key)) throw wrongMasterKey();
        this.db.prepare("INSERT INTO key_table_meta (name, value) VALUES ('master-key-check', ?)").run(this.master.check);
      }
      const legacy = this.db.prepare('SELECT petitioner_id, key FROM petitioner_keys WHERE length(key) = ?').all(KEY_BYTES) as { petitioner_id: string; key: Buffer }[];
      const update = this.db.prepare('UPDATE petitioner_keys SET key = ? WHERE petitioner_id = ?');
      for (const r of legacy) update.run(this.master.wrap(r.petitioner_id, r.key), r.petitioner_id);
    }).immediate();
    this.unlocked = true;
  }

  private async keyOf(petitionerId: string, create: boolean): Promise<Buffer | null> {
    await this.unlock();
    const row = this.db.prepare('SELECT key FROM petitioner_keys WHERE petitioner_id = ?').get(petitionerId) as { key: Buffer } | undefined;
    if (row) {
      // the key may be one inserted a moment ago whose sync is still running: a sealing caller waits for it
      if (create && this.synced < this.inserted) await this.syncKeys();
      return this.master.unwrap(petitionerId, row.key);
    }
    if (!create) return null;
    await this.insertDurably(() => this.db.prepare('INSERT OR IGNORE INTO petitioner_keys (petitioner_id, key, created_at) VALUES (?, ?, ?)')
      .run(petitionerId, this.master.wrap(petitionerId, crypto.randomBytes(KEY_BYTES)), new Date().toISOString()));
    return this.keyOf(petitionerId, false);
  }

  private async storeNewKeys(keys: NewKey[]): Promise<void> {
    await this.unlock();
    const insert = this.db.prepare('INSERT INTO petitioner_keys (petitioner_id, key, created_at) VALUES (?, ?, ?)');
    const createdAt = new Date().toISOString();
    // not through insertDurably: its count makes a seal of a known petitioner wait for the sync,
    // and no key of a batch is handed out before the batch's own sync anyway (KeyPool)
    this.wal.unsynced(this.db.transaction(() => {
      for (const k of keys) insert.run(k.petitionerId, this.master.wrap(k.petitionerId, k.key), createdAt);
    }));
    await this.wal.sync();
  }

  /** commits new keys without a sync of its own, then waits for a WAL sync from the thread pool */
  private async insertDurably(insert: () => void): Promise<void> {
    this.wal.unsynced(insert);
    if (this.wal.active) {
      this.inserted += 1;
      await this.syncKeys();
    }
  }

  private async syncKeys(): Promise<void> {
    const covers = this.inserted;
    await this.wal.sync();
    this.synced = Math.max(this.synced, covers);
  }

  async seal(petitionerId: string, data: PersonalData): Promise<string> {
    return sealWith((await this.keyOf(petitionerId, true))!, petitionerId, data);
  }

  async sealNew(data: PersonalData): Promise<{ petitionerId: string; sealed: string }> {
    const { petitionerId, key } = await this.fresh.take();
    return { petitionerId, sealed: sealWith(key, petitionerId, data) };
  }

  async open(petitionerId: string, sealed: string): Promise<PersonalData | null> {
    const key = await this.keyOf(petitionerId, false);
    return key ? openWith(key, petitionerId, sealed) : null;
  }

  async hasKey(petitionerId: string): Promise<boolean> {
    return !!this.db.prepare('SELECT 1 AS one FROM petitioner_keys WHERE petitioner_id = ?').get(petitionerId);
  }

  async erase(petitionerId: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM petitioner_keys WHERE petitioner_id = ?').run(petitionerId).changes > 0;
  }

  // SQLite compares TEXT with memcmp: the byte order of UTF-8, as PostgresKeyVault's COLLATE "C"
  async readKeys(after: string | null, limit: number): Promise<KeyRecord[]> {
    const rows = this.db
      .prepare('SELECT petitioner_id, key, created_at FROM petitioner_keys WHERE petitioner_id > ? ORDER BY petitioner_id LIMIT ?')
      .all(after ?? '', limit) as Array<{ petitioner_id: string; key: Buffer; created_at: string }>;
    return rows.map((r) => ({ petitionerId: r.petitioner_id, key: r.key, createdAt: r.created_at }));
  }

  async countKeys(): Promise<number> {
    return (this.db.prepare('SELECT count(*) AS n FROM petitioner_keys').get() as { n: number }).n;
  }

  async importKeys(keys: KeyRecord[]): Promise<{ imported: number; skipped: number }> {
    keys.forEach(checkKeyRecord);
    const find = this.db.prepare('SELECT key FROM petitioner_keys WHERE petitioner_id = ?');
    const insert = this.db.prepare('INSERT INTO petitioner_keys (petitioner_id, key, created_at) VALUES (?, ?, ?)');
    return this.db
      .transaction(() => {
        let imported = 0;
        let skipped = 0;
        for (const k of keys) {
          const row = find.get(k.petitionerId) as { key: Buffer } | undefined;
          if (row) {
            if (!row.key.equals(k.key)) throw differentKey(k.petitionerId);
            skipped += 1;
            continue;
          }
          insert.run(k.petitionerId, k.key, k.createdAt);
          imported += 1;
        }
        return { imported, skipped };
      })
      .immediate();
  }

  async close(): Promise<void> {
    await this.fresh.settle();
    await this.wal.close();
    this.db.close();
  }
}

export interface PostgresKeyVaultOptions extends KeyVaultOptions {
  /** connections of the pool; default 4 */
  poolSize?: number;
}

/**
 * The key table in PostgreSQL, in the event store's database (`EVENTSTORE=postgres`), so that
 * every process of a region seals and opens with the same keys. Two processes sealing for a
 * new petitioner at once both end up with the one key that was inserted first (INSERT … ON
 * CONFLICT DO NOTHING, then read); an erase is a committed DELETE, seen by every process.
 */
export class PostgresKeyVault implements PersonalDataVault, KeyTable {
  private readonly master: MasterKey;
  private unlocked: Promise<void> | null = null;
  private readonly fresh = new KeyPool((keys) => this.storeNewKeys(keys));

  private constructor(private readonly pool: Pool, masterKey: Buffer) {
    this.master = new MasterKey(masterKey);
  }

  /** Connects and creates the table if needed (safe from several processes starting at once). */
  static async connect(connectionString: string, options: PostgresKeyVaultOptions = {}): Promise<PostgresKeyVault> {
    const pool = new Pool({ connectionString, max: options.poolSize ?? 4 });
    // an idle client losing its connection must not crash the process; the next query reconnects
    pool.on('error', () => undefined);
    const client = await pool.connect().catch(async (error: Error) => {
      await pool.end().catch(() => undefined);
      throw new Error(`PostgreSQL key table: cannot connect: ${error.message}`);
    });
    try {
      await client.query('BEGIN');
      // concurrent CREATE TABLE IF NOT EXISTS can still collide in the catalog; serialise them
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('lianban.petitioner_keys:schema'))`);
      await client.query(`
        CREATE TABLE IF NOT EXISTS petitioner_keys (
          petitioner_id text        PRIMARY KEY,
          key           bytea       NOT NULL,
          created_at    timestamptz NOT NULL
        )`);
      await client.query('CREATE TABLE IF NOT EXISTS key_table_meta (name text PRIMARY KEY, value text NOT NULL)');
      await client.query('COMMIT');
      client.release();
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release(error as Error);
      await pool.end().catch(() => undefined);
      throw new Error(`PostgreSQL key table: cannot create it: ${(error as Error).message}`);
    }
    return new PostgresKeyVault(pool, options.masterKey ?? DEV_MASTER_KEY);
  }

  unlock(): Promise<void> {
    this.unlocked ??= this.checkAndUpgrade().catch((e: unknown) => {
      this.unlocked = null;
      throw e;
    });
    return this.unlocked;
  }

  private async checkAndUpgrade(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      // one process at a time decides the check value and wraps the legacy keys
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('lianban.petitioner_keys:master'))`);
      const { rows } = await client.query<{ value: string }>("SELECT value FROM key_table_meta WHERE name = 'master-key-check'");
      if (rows.length > 0 && rows[0].value !== this.master.check) throw wrongMasterKey();
      if (rows.length === 0) {
        const sample = await client.query<{ petitioner_id: string; key: Buffer }>('SELECT petitioner_id, key FROM petitioner_keys WHERE length(key) = $1 LIMIT 1', [WRAPPED_BYTES]);
        if (sample.rows.length > 0 && !this.master.opens(sample.rows[0].petitioner_id, sample.rows[0].key)) throw wrongMasterKey();
        await client.query("INSERT INTO key_table_meta (name, value) VALUES ('master-key-check', $1)", [this.master.check]);
      }
      const legacy = await client.query<{ petitioner_id: string; key: Buffer }>('SELECT petitioner_id, key FROM petitioner_keys WHERE length(key) = $1', [KEY_BYTES]);
      for (const r of legacy.rows) {
        await client.query('UPDATE petitioner_keys SET key = $1 WHERE petitioner_id = $2', [this.master.wrap(r.petitioner_id, r.key), r.petitioner_id]);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  private async keyOf(petitionerId: string, create: boolean): Promise<Buffer | null> {
    await this.unlock();
    const { rows } = await this.pool.query<{ key: Buffer }>('SELECT key FROM petitioner_keys WHERE petitioner_id = $1', [petitionerId]);
    if (rows.length > 0) return this.master.unwrap(petitionerId, rows[0].key);
    if (!create) return null;
    await this.pool.query(
      'INSERT INTO petitioner_keys (petitioner_id, key, created_at) VALUES ($1, $2, $3) ON CONFLICT (petitioner_id) DO NOTHING',
      [petitionerId, this.master.wrap(petitionerId, crypto.randomBytes(KEY_BYTES)), new Date().toISOString()],
    );
    return this.keyOf(petitionerId, false);
  }

  async seal(petitionerId: string, data: PersonalData): Promise<string> {
    const key = await this.keyOf(petitionerId, true);
    // only a concurrent erase between the insert and the read gets here
    if (!key) throw new Error(`the key of petitioner ${petitionerId} was erased while sealing`);
    return sealWith(key, petitionerId, data);
  }

  async sealNew(data: PersonalData): Promise<{ petitionerId: string; sealed: string }> {
    const { petitionerId, key } = await this.fresh.take();
    return { petitionerId, sealed: sealWith(key, petitionerId, data) };
  }

  private async storeNewKeys(keys: NewKey[]): Promise<void> {
    await this.unlock();
    const createdAt = new Date().toISOString();
    await this.pool.query(
      'INSERT INTO petitioner_keys (petitioner_id, key, created_at) SELECT * FROM unnest($1::text[], $2::bytea[], $3::timestamptz[])',
      [keys.map((k) => k.petitionerId), keys.map((k) => this.master.wrap(k.petitionerId, k.key)), keys.map(() => createdAt)],
    );
  }

  async open(petitionerId: string, sealed: string): Promise<PersonalData | null> {
    const key = await this.keyOf(petitionerId, false);
    return key ? openWith(key, petitionerId, sealed) : null;
  }

  async hasKey(petitionerId: string): Promise<boolean> {
    return (await this.pool.query('SELECT 1 FROM petitioner_keys WHERE petitioner_id = $1', [petitionerId])).rows.length > 0;
  }

  async erase(petitionerId: string): Promise<boolean> {
    return ((await this.pool.query('DELETE FROM petitioner_keys WHERE petitioner_id = $1', [petitionerId])).rowCount ?? 0) > 0;
  }

  async readKeys(after: string | null, limit: number): Promise<KeyRecord[]> {
    // COLLATE "C": byte order whatever the database's collation, the order SqliteKeyVault reads in
    const { rows } = await this.pool.query<{ petitioner_id: string; key: Buffer; created_at: Date }>(
      `SELECT petitioner_id, key, created_at FROM petitioner_keys
       WHERE petitioner_id COLLATE "C" > $1 ORDER BY petitioner_id COLLATE "C" LIMIT $2`,
      [after ?? '', limit],
    );
    return rows.map((r) => ({ petitionerId: r.petitioner_id, key: r.key, createdAt: r.created_at.toISOString() }));
  }

  async countKeys(): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM petitioner_keys');
    return Number(rows[0].n);
  }

  async importKeys(keys: KeyRecord[]): Promise<{ imported: number; skipped: number }> {
    keys.forEach(checkKeyRecord);
    if (keys.length === 0) return { imported: 0, skipped: 0 };
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const inserted = await client.query<{ petitioner_id: string }>(
        `INSERT INTO petitioner_keys (petitioner_id, key, created_at)
         SELECT * FROM unnest($1::text[], $2::bytea[], $3::timestamptz[])
         ON CONFLICT (petitioner_id) DO NOTHING
         RETURNING petitioner_id`,
        [keys.map((k) => k.petitionerId), keys.map((k) => k.key), keys.map((k) => k.createdAt)],
      );
      const fresh = new Set(inserted.rows.map((r) => r.petitioner_id));
      const others = keys.filter((k) => !fresh.has(k.petitionerId));
      if (others.length > 0) {
        const { rows } = await client.query<{ petitioner_id: string; key: Buffer }>(
          'SELECT petitioner_id, key FROM petitioner_keys WHERE petitioner_id = ANY($1::text[])',
          [others.map((k) => k.petitionerId)],
        );
        const stored = new Map(rows.map((r) => [r.petitioner_id, r.key]));
        for (const k of others) {
          if (!stored.get(k.petitionerId)?.equals(k.key)) throw differentKey(k.petitionerId);
        }
      }
      await client.query('COMMIT');
      return { imported: fresh.size, skipped: others.length };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.fresh.settle();
    await this.pool.end();
  }
}
