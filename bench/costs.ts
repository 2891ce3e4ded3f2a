/**
 * What one request costs the standalone, counted rather than timed, for a machine too busy
 * for throughput figures: the server's CPU time (user + system, from /proc) and its fsync /
 * fdatasync calls (strace) per command of B2's procedure mix (with how long those made on the
 * event loop's thread stopped it) and per GET of B3's 500-event timeline (and as of its 250th
 * event, and /health for scale). The data dir is on /dev/shm, so the syncs are counted, not
 * waited for (COSTS_DIR: on a disk). Compare two builds by running it on each, in turns.
 *
 *   node --require ./bench/register.js bench/costs.ts <dist dir> [cases 150] [clients 16]
 *   COSTS_ONLY=B2|B3 (default both); COSTS_PROF=<dir> writes the server's .cpuprofile there;
 *   COSTS_DIR=<dir> puts the data dir there instead (on a disk, where a sync takes time);
 *   COSTS_NODE_ARGS="--flag ..." starts the server with these node flags (V8 options NODE_OPTIONS refuses),
 *   COSTS_SERVER_OUT=<file> keeps all the server printed (e.g. with --trace-gc)
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { freePort } from '@lianban/testing/process';
import { waitForHealth } from './lib/common';
import { bearer, HttpClient } from './lib/http';
import { BASE_2024, clockAt, CO, LEAD, procedureSteps, register, tokensFor } from './lib/procedure';
import { seedCase } from './workloads/b3-timeline';

const [distArg, casesArg, clientsArg] = process.argv.slice(2);
if (!distArg) throw new Error('usage: bench/costs.ts <dist dir> [cases] [clients]');
const dist = path.resolve(distArg);
const CASES = Number(casesArg ?? 150);
const CLIENTS = Number(clientsArg ?? 16);
const ONLY = process.env.COSTS_ONLY ?? 'B2,B3';
const GETS = 400;

/** the process's CPU time; with `thread`, that thread's only (the event loop's tid is the pid) */
function cpuMs(pid: number, thread = false): number {
  const f = fs.readFileSync(thread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(process.env.COSTS_DIR ?? '/dev/shm', 'lianban-costs-'));
  const port = await freePort();
  const trace = path.join(dataDir, 'strace.out');
  const prof = process.env.COSTS_PROF ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.COSTS_PROF)}`] : [];
  const child = spawn('strace', ['-f', '-qq', '--seccomp-bpf', '-y', '-T', '-e', 'trace=fsync,fdatasync', '-o', trace, process.execPath, ...prof, ...(process.env.COSTS_NODE_ARGS?.split(' ').filter(Boolean) ?? []), path.join(dist, 'apps/standalone/src/main.js')], {
    env: { ...process.env, DATA_DIR: path.join(dataDir, 'data'), PORT: String(port), DEMO: 'off', RATE_LIMIT_IP: 'off', RATE_LIMIT_TOKEN: 'off' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = process.env.COSTS_SERVER_OUT ? fs.createWriteStream(process.env.COSTS_SERVER_OUT) : null;
  child.stdout!.on('data', (d: Buffer) => { out = (out + d.toString()).slice(-20_000); keep?.write(d); });
  child.stderr!.on('data', (d: Buffer) => { out = (out + d.toString()).slice(-20_000); keep?.write(d); });
  const url = `http://127.0.0.1:${port}`;
  const client = new HttpClient(url, CLIENTS);
  const one = new HttpClient(url, 1);
  let server = 0;
  try {
    await waitForHealth(url, child, () => out);
    server = Number(fs.readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(' ')[0]);
    const syncLines = () => fs.readFileSync(trace, 'utf8').split('\n').filter((l) => /\b(fsync|fdatasync)\(/.test(l));
    const syncs = () => syncLines().length;
    // those made on the event loop's own thread (its tid is the pid) stop every request while they last
    const loopLines = () => syncLines().filter((l) => l.startsWith(`${server} `));
    const loopSyncs = () => loopLines().length;
    // how long they stopped it (strace -T: <seconds> at the end of each line), in ms
    const loopSyncMs = () => loopLines().reduce((ms, l) => ms + 1000 * Number(/<([\d.]+)>\s*$/.exec(l)?.[1] ?? 0), 0);
    const t = await tokensFor(client, [LEAD, ...CO]);
    const runCase = async (n: number): Promise<{ ok: number; failed: number }> => {
      const reg = await register(client, t, n, clockAt(BASE_2024, 0));
      if (reg.status !== 201) return { ok: 0, failed: 1 };
      let ok = 1;
      for (const [i, s] of procedureSteps(reg.body.caseId, t).entries()) {
        const r = await client.request(s.method, s.path, s.body, bearer(s.token, clockAt(BASE_2024, i + 1)));
        if (r.status >= 300) return { ok, failed: 1 };
        ok++;
      }
      return { ok, failed: 0 };
    };
    if (ONLY.includes('B2')) {
      for (let k = 0; k < 5; k++) await runCase(1_000_000 + k);
      await new Promise((r) => setTimeout(r, 1000));
      const cpu0 = cpuMs(server);
      const loop0 = cpuMs(server, true);
      const s0 = syncs();
      const l0 = loopSyncs();
      const lms0 = loopSyncMs();
      let commands = 0;
      let failed = 0;
      let next = 0;
      const t0 = Date.now();
      await Promise.all(Array.from({ length: CLIENTS }, async () => {
        while (next < CASES) {
          const r = await runCase(next++);
          commands += r.ok;
          failed += r.failed;
        }
      }));
      const wall = Date.now() - t0;
      // what the commands set off in the background (subscriptions, projections) is their cost too
      await new Promise((r) => setTimeout(r, 1500));
      if (process.env.COSTS_SYNCS) {
        // which files the syncs were for
        const byFile = new Map<string, number>();
        for (const l of fs.readFileSync(trace, 'utf8').split('\n')) {
          const m = /(?:fsync|fdatasync)\(\d+<([^>]+)>/.exec(l);
          if (m) byFile.set(path.basename(m[1]), (byFile.get(path.basename(m[1])) ?? 0) + 1);
        }
        console.log(`syncs by file since start: ${JSON.stringify(Object.fromEntries(byFile))}`);
      }
      console.log(`B2 mix: ${commands} commands (${failed} failed), ${CLIENTS} clients, ${wall} ms; server CPU ${((cpuMs(server) - cpu0) / commands).toFixed(3)} ms/command (${((cpuMs(server, true) - loop0) / commands).toFixed(3)} on the event loop), ${((syncs() - s0) / commands).toFixed(2)} syncs/command (${((loopSyncs() - l0) / commands).toFixed(2)} on the event loop, stopping it ${((loopSyncMs() - lms0) / commands).toFixed(3)} ms/command)`);
    }
    if (ONLY.includes('B3')) {
      const seeded = await seedCase(client);
      const timeline = `/v1/cases/${seeded.caseId}/timeline`;
      const etag = (await one.request('GET', timeline, undefined, bearer(seeded.analyst))).headers.etag;
      const kinds: [string, string, number, Record<string, string>][] = [
        ['timeline', timeline, 200, {}], ['asOf', `${timeline}?asOf=${encodeURIComponent(seeded.asOf)}`, 200, {}],
        // a client that holds the current timeline and asks again with its ETag
        ['304', timeline, 304, etag ? { 'if-none-match': String(etag) } : {}], ['health', '/health', 200, {}],
      ];
      for (const [name, p, status, headers] of kinds) {
        for (let i = 0; i < 20; i++) await one.request('GET', p, undefined, { ...bearer(seeded.analyst), ...headers });
        const cpu0 = cpuMs(server);
        const s0 = syncs();
        for (let i = 0; i < GETS; i++) {
          const r = await one.request('GET', p, undefined, { ...bearer(seeded.analyst), ...headers });
          if (r.status !== status) throw new Error(`GET ${p}: ${r.status}, expected ${status}`);
        }
        console.log(`B3 ${name.padEnd(8)}: server CPU ${((cpuMs(server) - cpu0) / GETS).toFixed(3)} ms/GET, ${((syncs() - s0) / GETS).toFixed(2)} syncs/GET`);
      }
    }
  } finally {
    client.close();
    one.close();
    // SIGINT to the server itself (strace passes no signal on): Nest closes the store, --cpu-prof writes
    if (server) process.kill(server, 'SIGINT');
    else child.kill('SIGTERM');
    if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once('exit', r));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
