import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';

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

/** The key table in a SQLite file beside the event store (embedded mode). */
export class SqliteKeyVault implements PersonalDataVault {
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
    const key = crypto.randomBytes(32);
    this.db.prepare('INSERT OR IGNORE INTO petitioner_keys (petitioner_id, key, created_at) VALUES (?, ?, ?)').run(petitionerId, key, new Date().toISOString());
    return this.keyOf(petitionerId, false);
  }

  async seal(petitionerId: string, data: PersonalData): Promise<string> {
    const key = this.keyOf(petitionerId, true)!;
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(petitionerId));
    const body = Buffer.concat([cipher.update(JSON.stringify(data), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  async open(petitionerId: string, sealed: string): Promise<PersonalData | null> {
    const key = this.keyOf(petitionerId, false);
    if (!key) return null;
    const raw = Buffer.from(sealed, 'base64');
    const decipher = crypto.createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(petitionerId));
    decipher.setAuthTag(raw.subarray(12, 28));
    const text = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    return JSON.parse(text) as PersonalData;
  }

  async erase(petitionerId: string): Promise<void> {
    this.db.prepare('DELETE FROM petitioner_keys WHERE petitioner_id = ?').run(petitionerId);
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
