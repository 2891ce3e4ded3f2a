import { KeyedLock } from './keyed-lock';

const tick = () => new Promise((r) => setImmediate(r));

describe('KeyedLock', () => {
  it('runs tasks sharing a key one after another, in arrival order', async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    const task = (name: string) => async () => {
      log.push(`${name} in`);
      await tick();
      await tick();
      log.push(`${name} out`);
    };
    await Promise.all([lock.run(['a'], task('1')), lock.run(['a'], task('2')), lock.run(['a', 'b'], task('3'))]);
    expect(log).toEqual(['1 in', '1 out', '2 in', '2 out', '3 in', '3 out']);
    expect(lock.size).toBe(0);
  });

  it('lets tasks on different keys overlap', async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    const task = (name: string) => async () => {
      log.push(`${name} in`);
      await tick();
      log.push(`${name} out`);
    };
    await Promise.all([lock.run(['a'], task('1')), lock.run(['b'], task('2'))]);
    expect(log).toEqual(['1 in', '2 in', '1 out', '2 out']);
  });

  it('never deadlocks two tasks taking the same keys in opposite orders, and releases on failure', async () => {
    const lock = new KeyedLock();
    const failing = lock.run(['x', 'y'], async () => { await tick(); throw new Error('boom'); });
    const other = lock.run(['y', 'x'], async () => 'done');
    await expect(failing).rejects.toThrow('boom');
    await expect(other).resolves.toBe('done');
    expect(lock.size).toBe(0);
  });
});
