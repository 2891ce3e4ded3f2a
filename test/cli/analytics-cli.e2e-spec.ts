import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { spawnService } from '@lianban/testing/process';
import { Api, tempDataDir } from '@lianban/testing/standalone';

jest.setTimeout(180_000);

const ROOT = path.resolve(__dirname, '../..');
const CLI = (name: string) => path.join(ROOT, 'dist/scripts/analytics', `${name}.js`);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** a built CLI as its own process, the way `npm run <name>` runs it after the build */
function run(name: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  if (!fs.existsSync(CLI(name))) throw new Error(`${CLI(name)} is not built: run \`npm run build\` first`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI(name), ...args], { cwd: ROOT, env: { ...process.env, DEMO: 'off', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function rows(file: string, sql: string): unknown[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
}

/**
 * npm run seed / replay / verify, as processes on real files: the synthetic year is written
 * through the real deciders, the projections the history service builds while following the
 * store equal a fresh replay, and a stored projection that differs is reported with a
 * non-zero exit.
 */
describe('analytics CLIs: seed, replay, verify', () => {
  const dir = tempDataDir('lianban-cli-');

  it('seed writes a reproducible year, with progress on stderr and a summary on stdout', async () => {
    const r = await run('seed', ['--cases', '300', '--seed', '5', '--data-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^seeded 300 cases, [\d,]+ events \(positions 1–\d+\) in [\d.]+ s/);
    expect(r.stderr).toMatch(/append\s+▕█+▏ 100% [\d,]+\/[\d,]+ events · [\d,]+ events\/s · ETA/);

    // the same seed into another store: the same events, in the same order
    const again = tempDataDir('lianban-cli-');
    expect((await run('seed', ['--cases', '300', '--seed', '5', '--data-dir', again])).code).toBe(0);
    const sql = 'SELECT id, stream_id, revision, type, occurred_at, hlc FROM events ORDER BY position';
    expect(rows(path.join(again, 'events.sqlite'), sql)).toEqual(rows(path.join(dir, 'events.sqlite'), sql));
  });

  it('the projections the running service builds equal a fresh rebuild (verify exits 0)', async () => {
    // the standalone process follows the seeded store and keeps its projections from the start
    const service = await spawnService('dist/apps/standalone/src/main.js', { DATA_DIR: dir, DEMO: 'off' });
    try {
      const api = new Api(service.url);
      const analyst = api.as(await api.token('analyst'));
      const stats = await analyst.get('/v1/stats?from=2025-01-01&to=2026-01-01');
      expect(stats.status).toBe(200);
      expect(stats.body.totals.registrations.total).toBe(300);
      // the built service serves its pages and ECharts from dist/ and node_modules, nothing from outside
      const page = await fetch(`${service.url}/ui/`);
      expect([page.status, page.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
      expect(await page.text()).toContain('/ui/assets/dashboard.js');
      expect((await fetch(`${service.url}/ui/vendor/echarts.min.js`)).status).toBe(200);
      expect((await fetch(`${service.url}/ui/assets/..%2Fpackage.json`)).status).toBe(404);
    } finally {
      await service.kill();
    }
    const v = await run('verify', ['--data-dir', dir]);
    expect(v.stdout).toMatch(/^verified: the stored projections equal a fresh rebuild — 300 cases, [\d,]+ versions/m);
    expect(v.code).toBe(0);
    expect(v.stderr).toMatch(/rebuild\s+▕█+▏ 100%.*events\/s · ETA/);
  });

  it('verify reports a stored projection that differs, with the case and the field, and exits 1; replay --case repairs it', async () => {
    const file = path.join(dir, 'projections.sqlite');
    const [victim] = rows(file, "SELECT case_id, valid_from FROM case_versions WHERE valid_to IS NULL AND facts LIKE '%,\"online\",%' ORDER BY case_id LIMIT 1") as { case_id: string; valid_from: string }[];
    const db = new Database(file);
    // the stored form has no key names (encodeFacts): "online" is only ever a channel
    db.prepare(`UPDATE case_versions SET facts = replace(facts, ',"online",', ',"letter",') WHERE case_id = ? AND valid_from = ?`).run(victim.case_id, victim.valid_from);
    db.close();

    const bad = await run('verify', ['--data-dir', dir]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(`case ${victim.case_id}: [`);
    expect(bad.stdout).toMatch(/\.facts\.channel: stored "letter", rebuilt "online"/);
    expect(bad.stdout).toMatch(/^DIFFERENT: 1 case\(s\) differ/m);

    const one = await run('replay', ['--case', victim.case_id, '--data-dir', dir]);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(new RegExp(`^rebuilt case ${victim.case_id}: \\d+ versions`));
    expect((await run('verify', ['--data-dir', dir])).code).toBe(0);
  });

  it('replay rebuilds everything with a progress bar, events/s and ETA', async () => {
    const r = await run('replay', ['--data-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/replay\s+▕█+▏ 100% [\d,]+\/[\d,]+ events · [\d,]+ events\/s · ETA/);
    expect(r.stdout).toMatch(/^replayed [\d,]+ events \(positions 1–\d+\) from .*events\.sqlite into .*projections\.sqlite: 300 cases in [\d.]+ s, [\d,]+ events\/s/);
    expect((await run('verify', ['--data-dir', dir])).code).toBe(0);
  });

  it('refuses bad arguments with exit 2 and the usage', async () => {
    const noCases = await run('seed', ['--data-dir', dir]);
    expect([noCases.code, noCases.stderr]).toEqual([2, expect.stringContaining('--cases is required')]);
    const zero = await run('seed', ['--cases', '0', '--data-dir', dir]);
    expect([zero.code, zero.stderr]).toEqual([2, expect.stringContaining('--cases must be a whole number')]);
    const unknown = await run('replay', ['--everything']);
    expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringContaining("Unknown option '--everything'")]);
    const notACase = await run('replay', ['--case', 'abc', '--data-dir', dir]);
    expect([notACase.code, notACase.stderr]).toEqual([2, expect.stringContaining('--case must be a case id')]);
    const missing = await run('replay', ['--case', '00000000-0000-4000-8000-000000000000', '--data-dir', dir]);
    expect([missing.code, missing.stderr]).toEqual([1, expect.stringContaining('no case 00000000-0000-4000-8000-000000000000')]);
  });
});
