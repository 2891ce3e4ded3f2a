import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnService, type SpawnedService } from '@lianban/testing/process';
import { Api, tempDataDir } from '@lianban/testing/standalone';

/**
 * F5 failed fsync: once a sync of the SQLite store's WAL fails, no later sync can tell whether
 * what was committed reached the disk, and the store refuses everything. The process must not
 * linger in that state: it answers /health with 503 while ServiceExit runs the shutdown hooks,
 * then exits with status 1 so that its supervisor starts a fresh one, which opens the file again
 * and serves every acknowledged command. The built standalone runs with a preload that makes
 * every fsync fail with EIO once a flag file exists.
 */
const MAIN = 'dist/apps/standalone/src/main.js';

const preload = `
const fs = require('node:fs');
const flag = process.env.LIANBAN_TEST_FSYNC_FAILS_WHEN;
const eio = () => Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO', errno: -5, syscall: 'fsync' });
// both ways WalSync syncs the WAL: a FileHandle's sync from the thread pool, fsyncSync on the loop for a lone append
const open = fs.promises.open;
fs.promises.open = async (...args) => {
  const handle = await open(...args);
  const sync = handle.sync.bind(handle);
  handle.sync = () => fs.existsSync(flag) ? Promise.reject(eio()) : sync();
  return handle;
};
const fsyncSync = fs.fsyncSync;
fs.fsyncSync = (fd) => {
  if (fs.existsSync(flag)) throw eio();
  return fsyncSync(fd);
};
`;

const petition = (subject: string) => ({ channel: 'letter', regionCode: '500110', petitioner: { name: '赵某' }, subject, content: '雨后积水严重' });

describe('F5: a failed WAL fsync ends the process for a restart', () => {
  jest.setTimeout(120_000);

  it('refuses the command, says 503, runs the shutdown hooks, exits 1; a fresh process serves what was acknowledged', async () => {
    const dataDir = tempDataDir('lianban-f5-');
    const flag = path.join(dataDir, 'fsync-fails');
    const preloadFile = path.join(dataDir, 'failing-fsync.js');
    fs.writeFileSync(preloadFile, preload);
    let first: SpawnedService | null = null;
    let second: SpawnedService | null = null;
    try {
      first = await spawnService(MAIN, {
        DATA_DIR: dataDir, DEMO: 'off', NODE_OPTIONS: `--require ${preloadFile}`, LIANBAN_TEST_FSYNC_FAILS_WHEN: flag,
      });
      const child = first.child;
      const exited = new Promise<number | null>((resolve) => {
        if (child.exitCode !== null) resolve(child.exitCode);
        else child.once('exit', (code) => resolve(code));
      });
      // a process that stays up after the failure fails the test with its output, not a hung suite
      const exitedOrStuck = Promise.race([
        exited,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still running after the failed fsync:\n${first!.output()}`)), 60_000).unref()),
      ]);
      const api = new Api(first.url);
      const clerk = api.as(await api.token('clerk', '500112-xfb'));
      const acked = await clerk.post('/v1/petitions', petition('道路积水'));
      expect(acked.status).toBe(201);

      fs.writeFileSync(flag, '');
      const refused = await clerk.post('/v1/petitions', petition('路灯不亮'));
      expect(refused.status).toBeGreaterThanOrEqual(500);
      // from the failure on, the process is never healthy again: 503 until it stops listening
      const health = await api.get('/health').catch(() => null);
      if (health) expect({ status: health.status, body: health.body.status }).toEqual({ status: 503, body: 'unavailable' });

      expect(await exitedOrStuck).toBe(1);
      const out = first.output();
      expect(out).toMatch(/the event store failed for good: event store: a sync of the WAL failed \(EIO: i\/o error, fsync\); nothing more is served until the store is opened again; exiting with status 1/);
      // the shutdown hooks ran: Nest's close ends with the store and the vault closed, not a crash
      expect(out).not.toMatch(/closing the (store|vault) failed/);

      fs.rmSync(flag);
      second = await spawnService(MAIN, { DATA_DIR: dataDir, DEMO: 'off' });
      const api2 = new Api(second.url);
      expect((await api2.get('/health')).body.status).toBe('ok');
      const analyst = api2.as(await api2.token('analyst'));
      const again = await analyst.get(`/v1/cases/${acked.body.caseId}`);
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ caseNumber: acked.body.caseNumber, subject: '道路积水' });
    } finally {
      await first?.kill('SIGKILL');
      await second?.kill('SIGTERM');
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
