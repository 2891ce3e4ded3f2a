import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SqliteKeyVault } from './personal-data';

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
