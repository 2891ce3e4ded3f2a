import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { turns } from '@lianban/testing/held-wal';
import { SqliteKeyVault } from './personal-data';

interface HeldSync {
  release: () => void;
  /** keys in the table when the sync began */
  keysAtStart: number;
}

/**
 * Holds every sync of a `-wal` file opened from now on (the vault's WalSync opens its handle on
 * first use) until the test releases it, recording how many keys the table had when it began.
 */
function holdWalSyncs(syncs: HeldSync[], keys: () => number): jest.SpyInstance {
  const open = fs.promises.open;
  return jest.spyOn(fs.promises, 'open').mockImplementation(async (...args: Parameters<typeof open>) => {
    const handle = await open(...args);
    if (String(args[0]).endsWith('-wal')) {
      const sync = handle.sync.bind(handle);
      handle.sync = () => new Promise<void>((resolve, reject) => {
        syncs.push({ keysAtStart: keys(), release: () => sync().then(resolve, reject) });
      });
    }
    return handle;
  });
}

describe('SqliteKeyVault (DESIGN 3.3)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lianban-vault-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('seals personal data so the clear text is nowhere in the sealed form, and opens it again after a restart', async () => {
    const file = path.join(dir, 'keys.sqlite');
    const vault = new SqliteKeyVault(file);
    const sealed = await vault.seal('p-1', { name: '张三', phone: '13800000000', idNumber: '500112198001010011' });
    expect(Buffer.from(sealed, 'base64').toString('utf8')).not.toContain('张三');
    expect(sealed).not.toContain('13800000000');
    await vault.close();
    const again = new SqliteKeyVault(file);
    expect(await again.open('p-1', sealed)).toEqual({ name: '张三', phone: '13800000000', idNumber: '500112198001010011' });
    await again.close();
  });

  it('after the key is erased (crypto-shredding) the data can no longer be opened', async () => {
    const vault = new SqliteKeyVault(path.join(dir, 'keys2.sqlite'));
    const sealed = await vault.seal('p-2', { name: '李四' });
    await vault.erase('p-2');
    expect(await vault.open('p-2', sealed)).toBeNull();
    await vault.close();
  });

  it('a sealed value of one petitioner cannot be opened as another', async () => {
    const vault = new SqliteKeyVault(path.join(dir, 'keys3.sqlite'));
    const sealed = await vault.seal('p-3', { name: '王五' });
    await vault.seal('p-4', { name: '赵六' });
    await expect(vault.open('p-4', sealed)).rejects.toThrow();
    await vault.close();
  });
});

describe('SqliteKeyVault: a new key is on disk before seal() answers', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lianban-vault-sync-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('answers a seal only after a sync of the WAL that began after the key was written, one sync for concurrent seals', async () => {
    const file = path.join(dir, 'keys.sqlite');
    const vault = new SqliteKeyVault(file);
    await vault.seal('p-warm', { name: '预热' });
    // hold the WAL's syncs until released, and record when each began
    const syncs: HeldSync[] = [];
    const reader = new Database(file, { readonly: true });
    const keys = () => (reader.prepare('SELECT count(*) AS n FROM petitioner_keys').get() as { n: number }).n;
    const spy = holdWalSyncs(syncs, keys);
    try {
      // a vault whose WAL handle is opened under the spy
      await vault.close();
      const v = new SqliteKeyVault(file);
      let answered = 0;
      const seals = ['p-1', 'p-2', 'p-3'].map((id) => v.seal(id, { name: id }).then((s) => {
        answered++;
        return s;
      }));
      while (syncs.length === 0) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, 20));
      expect(answered).toBe(0);
      // the three keys were committed before the sync began: one sync covers them all
      expect(syncs).toHaveLength(1);
      expect(syncs[0].keysAtStart).toBe(4);
      syncs[0].release();
      const sealed = await Promise.all(seals);
      expect(answered).toBe(3);
      // erasure and every other write stay synchronous=FULL (2)
      expect((v as unknown as { db: Database.Database }).db.pragma('synchronous', { simple: true })).toBe(2);
      await v.close();
      const again = new SqliteKeyVault(file);
      expect(await again.open('p-2', sealed[1])).toEqual({ name: 'p-2' });
      await again.close();
    } finally {
      spy.mockRestore();
      reader.close();
    }
  });
});

describe('SqliteKeyVault.sealNew: keys made ahead, on disk before they are handed out', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lianban-vault-pool-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('answers only after the sync of its key\'s batch, and makes the next batch while one lasts, so new petitioners do not wait for a sync', async () => {
    const file = path.join(dir, 'keys.sqlite');
    const syncs: HeldSync[] = [];
    const reader = new Database(file);
    reader.exec('CREATE TABLE IF NOT EXISTS petitioner_keys (petitioner_id TEXT PRIMARY KEY, key BLOB NOT NULL, created_at TEXT NOT NULL)');
    const keys = () => (reader.prepare('SELECT count(*) AS n FROM petitioner_keys').get() as { n: number }).n;
    const spy = holdWalSyncs(syncs, keys);
    try {
      const v = new SqliteKeyVault(file);
      const answered: Array<{ petitionerId: string; sealed: string }> = [];
      const take = () => v.sealNew({ name: '新人' }).then((s) => answered.push(s));
      const first = take();
      while (syncs.length === 0) await turns(1);
      await turns();
      // the whole batch was committed before its sync began; nothing of it is handed out before the sync ends
      expect(syncs[0].keysAtStart).toBe(64);
      expect(answered).toHaveLength(0);
      syncs[0].release();
      await first;
      // the rest of the batch answers at once, while the next batch's sync is held
      const rest = Array.from({ length: 63 }, take);
      await Promise.all(rest);
      expect(answered).toHaveLength(64);
      while (syncs.length < 2) await turns(1);
      expect(syncs[1].keysAtStart).toBe(128);
      // the pool is empty: the next one waits for the batch being synced
      const waiting = take();
      await turns();
      expect(answered).toHaveLength(64);
      syncs[1].release();
      await waiting;
      expect(new Set(answered.map((a) => a.petitionerId)).size).toBe(65);
      await v.close();
      const again = new SqliteKeyVault(file);
      for (const a of [answered[0], answered[63], answered[64]]) expect(await again.open(a.petitionerId, a.sealed)).toEqual({ name: '新人' });
      await again.close();
    } finally {
      spy.mockRestore();
      reader.close();
    }
  });
});

describe('the key table encrypted with MASTER_KEY', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lianban-master-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const master = () => crypto.randomBytes(32);
  const rows = (file: string) => {
    const db = new Database(file, { readonly: true });
    try {
      return db.prepare('SELECT petitioner_id, key FROM petitioner_keys ORDER BY petitioner_id').all() as { petitioner_id: string; key: Buffer }[];
    } finally {
      db.close();
    }
  };

  it('stores every key wrapped: the table alone, or under another master key, opens nothing', async () => {
    const file = path.join(dir, 'wrapped.sqlite');
    const key = master();
    const vault = new SqliteKeyVault(file, { masterKey: key });
    await vault.unlock();
    const sealed = await vault.seal('p-1', { name: '张三', phone: '13800000000' });
    await vault.close();
    const [row] = rows(file);
    expect(row.key).toHaveLength(61);
    expect(row.key[0]).toBe(1);
    // the stored bytes are no AES key for the sealed data: the key table copied alone is useless
    expect(() => {
      const raw = Buffer.from(sealed, 'base64');
      const d = crypto.createDecipheriv('aes-256-gcm', row.key.subarray(29), raw.subarray(0, 12));
      d.setAAD(Buffer.from('p-1'));
      d.setAuthTag(raw.subarray(12, 28));
      Buffer.concat([d.update(raw.subarray(28)), d.final()]);
    }).toThrow();

    const wrong = new SqliteKeyVault(file, { masterKey: master() });
    await expect(wrong.unlock()).rejects.toThrow(/MASTER_KEY does not open this key table/);
    await expect(wrong.open('p-1', sealed)).rejects.toThrow(/MASTER_KEY/);
    await wrong.close();
    const right = new SqliteKeyVault(file, { masterKey: key });
    expect(await right.open('p-1', sealed)).toEqual({ name: '张三', phone: '13800000000' });
    await right.close();
  });

  it('wraps the keys of a table written before master keys, and they still open their data', async () => {
    const file = path.join(dir, 'legacy.sqlite');
    const legacyKey = crypto.randomBytes(32);
    const db = new Database(file);
    db.exec('CREATE TABLE petitioner_keys (petitioner_id TEXT PRIMARY KEY, key BLOB NOT NULL, created_at TEXT NOT NULL)');
    db.prepare('INSERT INTO petitioner_keys VALUES (?, ?, ?)').run('p-old', legacyKey, '2021-05-04T02:12:00.000Z');
    db.close();
    // sealed the way the vault did before master keys existed
    const iv = crypto.randomBytes(12);
    const c = crypto.createCipheriv('aes-256-gcm', legacyKey, iv);
    c.setAAD(Buffer.from('p-old'));
    const body = Buffer.concat([c.update(JSON.stringify({ name: '王某' }), 'utf8'), c.final()]);
    const sealed = Buffer.concat([iv, c.getAuthTag(), body]).toString('base64');

    const vault = new SqliteKeyVault(file, { masterKey: master() });
    await vault.unlock();
    expect(rows(file)[0].key).toHaveLength(61);
    expect(await vault.open('p-old', sealed)).toEqual({ name: '王某' });
    expect(await vault.erase('p-old')).toBe(true);
    expect(await vault.erase('p-old')).toBe(false);
    expect(await vault.hasKey('p-old')).toBe(false);
    expect(await vault.open('p-old', sealed)).toBeNull();
    await vault.close();
  });

  it('copies keys as stored (wrapped), so a migration never needs MASTER_KEY and the copy opens under the same one', async () => {
    const key = master();
    const from = new SqliteKeyVault(path.join(dir, 'from.sqlite'), { masterKey: key });
    const sealed = await from.seal('p-9', { name: '赵某' });
    const records = await from.readKeys(null, 10);
    expect(records[0].key).toHaveLength(61);
    const blind = new SqliteKeyVault(path.join(dir, 'to.sqlite'));
    expect(await blind.importKeys(records)).toEqual({ imported: 1, skipped: 0 });
    await blind.close();
    // the copy carries no check value: a wrong master key is still recognised, by a key that does not open
    const wrong = new SqliteKeyVault(path.join(dir, 'to.sqlite'), { masterKey: master() });
    await expect(wrong.unlock()).rejects.toThrow(/MASTER_KEY does not open this key table/);
    await wrong.close();
    const to = new SqliteKeyVault(path.join(dir, 'to.sqlite'), { masterKey: key });
    expect(await to.open('p-9', sealed)).toEqual({ name: '赵某' });
    await from.close();
    await to.close();
  });
});
