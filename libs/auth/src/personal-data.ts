import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { Pool } from 'pg';

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
  /** null when the key was erased */
  open(petitionerId: string, sealed: string): Promise<PersonalData | null>;
  erase(petitionerId: string): Promise<void>;
  close(): Promise<void>;
}

/** One row of the key table, as copied between tables (scripts/migrate-store). */
export interface KeyRecord {
  petitionerId: string;
  /** 32 bytes */
  key: Buffer;
  /** ISO 8601 */
  createdAt: string;
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
  if (!Buffer.isBuffer(record.key) || record.key.length !== KEY_BYTES) {
    throw new Error(`the key of petitioner ${record.petitionerId} is not ${KEY_BYTES} bytes`);
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

/** The key table in a SQLite file beside the event store (embedded mode). */
export class SqliteKeyVault implements PersonalDataVault, KeyTable {
  private readonly db: Database.Database;

  constructor(file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec('CREATE TABLE IF NOT EXISTS petitioner_keys (petitioner_id TEXT PRIMARY KEY, key BLOB NOT NULL, created_at TEXT NOT NULL)');
  }

  private keyOf(petitionerId: string, create: boolean): Buffer | null {
    const row = this.db.prepare('SELECT key FROM petitioner_keys WHERE petitioner_id = ?').get(petitionerId) as { key: Buffer } | undefined;
    if (row) return row.key;
    if (!create) return null;
    const key = crypto.randomBytes(KEY_BYTES);
    this.db.prepare('INSERT OR IGNORE INTO petitioner_keys (petitioner_id, key, created_at) VALUES (?, ?, ?)').run(petitionerId, key, new Date().toISOString());
    return this.keyOf(petitionerId, false);
  }

  async seal(petitionerId: string, data: PersonalData): Promise<string> {
    return sealWith(this.keyOf(petitionerId, true)!, petitionerId, data);
  }

  async open(petitionerId: string, sealed: string): Promise<PersonalData | null> {
    const key = this.keyOf(petitionerId, false);
    return key ? openWith(key, petitionerId, sealed) : null;
  }

  async erase(petitionerId: string): Promise<void> {
    this.db.prepare('DELETE FROM petitioner_keys WHERE petitioner_id = ?').run(petitionerId);
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
    this.db.close();
  }
}

export interface PostgresKeyVaultOptions {
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
  private constructor(private readonly pool: Pool) {}

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
      await client.query('COMMIT');
      client.release();
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release(error as Error);
      await pool.end().catch(() => undefined);
      throw new Error(`PostgreSQL key table: cannot create it: ${(error as Error).message}`);
    }
    return new PostgresKeyVault(pool);
  }

  private async keyOf(petitionerId: string, create: boolean): Promise<Buffer | null> {
    const { rows } = await this.pool.query<{ key: Buffer }>('SELECT key FROM petitioner_keys WHERE petitioner_id = $1', [petitionerId]);
    if (rows.length > 0) return rows[0].key;
    if (!create) return null;
    await this.pool.query(
      'INSERT INTO petitioner_keys (petitioner_id, key, created_at) VALUES ($1, $2, $3) ON CONFLICT (petitioner_id) DO NOTHING',
      [petitionerId, crypto.randomBytes(KEY_BYTES), new Date().toISOString()],
    );
    return this.keyOf(petitionerId, false);
  }

  async seal(petitionerId: string, data: PersonalData): Promise<string> {
    const key = await this.keyOf(petitionerId, true);
    // only a concurrent erase between the insert and the read gets here
    if (!key) throw new Error(`the key of petitioner ${petitionerId} was erased while sealing`);
    return sealWith(key, petitionerId, data);
  }

  async open(petitionerId: string, sealed: string): Promise<PersonalData | null> {
    const key = await this.keyOf(petitionerId, false);
    return key ? openWith(key, petitionerId, sealed) : null;
  }

  async erase(petitionerId: string): Promise<void> {
    await this.pool.query('DELETE FROM petitioner_keys WHERE petitioner_id = $1', [petitionerId]);
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
    await this.pool.end();
  }
}
