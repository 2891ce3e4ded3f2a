import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '@lianban/testing/postgres';
import { PostgresKeyVault, SqliteKeyVault, type KeyRecord, type KeyTable } from './personal-data';

/** The same behaviour as SqliteKeyVault (personal-data.int-spec.ts), shared by several processes. */
describe('PostgresKeyVault (DESIGN 3.3, EVENTSTORE=postgres)', () => {
  let db: TestDatabase;
  const open: PostgresKeyVault[] = [];
  async function vault(): Promise<PostgresKeyVault> {
    const v = await PostgresKeyVault.connect(db.url);
    open.push(v);
    return v;
  }

  beforeAll(async () => {
    db = await createTestDatabase('lianban_vault');
  });
  afterEach(async () => {
    for (const v of open.splice(0)) await v.close();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('seals personal data so the clear text is nowhere in the sealed form, and opens it again after a restart', async () => {
    const first = await vault();
    const sealed = await first.seal('p-1', { name: '张三', phone: '13800000000', idNumber: '500112198001010011' });
    expect(Buffer.from(sealed, 'base64').toString('utf8')).not.toContain('张三');
    expect(sealed).not.toContain('13800000000');
    await first.close();
    open.splice(open.indexOf(first), 1);
    const again = await vault();
    expect(await again.open('p-1', sealed)).toEqual({ name: '张三', phone: '13800000000', idNumber: '500112198001010011' });
  });

  it('keeps the table in the database itself, with the key (wrapped with the master key) and not the data', async () => {
    const v = await vault();
    await v.seal('p-table', { name: '钱七' });
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT petitioner_id, key FROM petitioner_keys WHERE petitioner_id = $1', ['p-table']);
      expect(rows).toHaveLength(1);
      // version byte, IV, tag, the 32-byte key encrypted with the master key
      expect(rows[0].key).toHaveLength(61);
    } finally {
      await client.end();
    }
  });

  it('after the key is erased (crypto-shredding) the data can no longer be opened, by any process', async () => {
    const a = await vault();
    const b = await vault();
    const sealed = await a.seal('p-2', { name: '李四' });
    expect(await b.open('p-2', sealed)).toEqual({ name: '李四' });
    await a.erase('p-2');
    expect(await b.open('p-2', sealed)).toBeNull();
    expect(await a.open('p-2', sealed)).toBeNull();
  });

  it('a sealed value of one petitioner cannot be opened as another', async () => {
    const v = await vault();
    const sealed = await v.seal('p-3', { name: '王五' });
    await v.seal('p-4', { name: '赵六' });
    await expect(v.open('p-4', sealed)).rejects.toThrow();
  });

  it('seals for new petitioners under keys of their own, made ahead, that every process opens', async () => {
    const [a, b] = await Promise.all([vault(), vault()]);
    const sealed = await Promise.all(Array.from({ length: 70 }, (_, i) => (i % 2 === 0 ? a : b).sealNew({ name: `新-${i}` })));
    expect(new Set(sealed.map((s) => s.petitionerId)).size).toBe(70);
    for (const [i, s] of sealed.entries()) expect(await (i % 2 === 0 ? b : a).open(s.petitionerId, s.sealed)).toEqual({ name: `新-${i}` });
    await a.erase(sealed[0].petitionerId);
    expect(await b.open(sealed[0].petitionerId, sealed[0].sealed)).toBeNull();
  });

  it('gives two processes sealing for a new petitioner at the same moment one shared key', async () => {
    const [a, b] = await Promise.all([vault(), vault()]);
    const sealed = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).seal('p-race', { name: `同时-${i}` })),
    );
    for (const [i, s] of sealed.entries()) {
      expect(await (i % 2 === 0 ? b : a).open('p-race', s)).toEqual({ name: `同时-${i}` });
    }
  });

  it('creates its table once when several processes start together', async () => {
    const vaults = await Promise.all(Array.from({ length: 5 }, () => vault()));
    expect(await vaults[4].open('p-nobody', 'AAAA')).toBeNull();
  });

  it('refuses to open the table with another master key, in any process', async () => {
    const key = randomBytes(32);
    const a = await PostgresKeyVault.connect(db.url, { masterKey: key });
    open.push(a);
    await expect(a.unlock()).rejects.toThrow(/MASTER_KEY does not open this key table/);
  });

  it('fails loudly when the server is not there', async () => {
    await expect(PostgresKeyVault.connect('postgres://postgres@127.0.0.1:1/none')).rejects.toThrow(/PostgreSQL key table: cannot connect/);
  });
});

describe('copying a key table (KeyTable), SQLite ⇄ PostgreSQL', () => {
  let db: TestDatabase;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lianban-vault-copy-'));

  beforeAll(async () => {
    // a linguistic collation ('_' < 'a' < 'b' < 'B' < 'Z'), unlike the byte order the copy relies on
    db = await createTestDatabase('lianban_vault_copy', { icuLocale: 'und' });
  });
  afterAll(async () => {
    await db?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function all(table: KeyTable): Promise<KeyRecord[]> {
    const out: KeyRecord[] = [];
    for (;;) {
      const page = await table.readKeys(out.length ? out[out.length - 1].petitionerId : null, 2);
      if (page.length === 0) return out;
      out.push(...page);
    }
  }

  it('reads both tables in the same (byte) order, and a copied key opens what the original sealed', async () => {
    const sqlite = new SqliteKeyVault(path.join(dir, 'keys.sqlite'));
    const pg = await PostgresKeyVault.connect(db.url);
    try {
      // ids whose order differs between byte order and a linguistic collation
      const ids = ['b-1', 'B-2', 'a-3', '张-4', 'Z-5', '_-6'];
      const sealed = new Map<string, string>();
      for (const id of ids) sealed.set(id, await sqlite.seal(id, { name: `人-${id}` }));

      const source = await all(sqlite);
      expect(source.map((k) => k.petitionerId)).toEqual([...ids].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))));
      expect(await pg.importKeys(source.slice(0, 4))).toEqual({ imported: 4, skipped: 0 });
      expect(await pg.importKeys(source)).toEqual({ imported: 2, skipped: 4 });
      expect(await pg.countKeys()).toBe(ids.length);

      const copied = await all(pg);
      expect(copied).toEqual(source);
      for (const id of ids) expect(await pg.open(id, sealed.get(id)!)).toEqual({ name: `人-${id}` });

      const back = new SqliteKeyVault(path.join(dir, 'back.sqlite'));
      try {
        expect(await back.importKeys(copied)).toEqual({ imported: ids.length, skipped: 0 });
        expect(await all(back)).toEqual(source);
      } finally {
        await back.close();
      }
    } finally {
      await sqlite.close();
      await pg.close();
    }
  });

  it('refuses to overwrite a different key for the same petitioner, in either table', async () => {
    const sqlite = new SqliteKeyVault(path.join(dir, 'clash.sqlite'));
    const pg = await PostgresKeyVault.connect(db.url);
    try {
      await sqlite.seal('p-clash', { name: '甲' });
      await pg.seal('p-clash', { name: '乙' });
      const [fromSqlite] = await sqlite.readKeys(null, 10);
      const [fromPg] = (await pg.readKeys(null, 1000)).filter((k) => k.petitionerId === 'p-clash');
      await expect(pg.importKeys([fromSqlite])).rejects.toThrow(/different key/);
      await expect(sqlite.importKeys([fromPg])).rejects.toThrow(/different key/);
      expect((await pg.readKeys(null, 1000)).find((k) => k.petitionerId === 'p-clash')!.key).toEqual(fromPg.key);
    } finally {
      await sqlite.close();
      await pg.close();
    }
  });
});
