import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

/** A free TCP port on 127.0.0.1 (asked of the OS, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface SpawnedService {
  url: string;
  child: ChildProcess;
  /** everything the process printed so far */
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

const ROOT = path.resolve(__dirname, '../../..');

/**
 * Runs a built Lianban entry point (`dist/...`, or an absolute path) as a separate OS process and waits until its
 * /health answers. Fails loudly with the process's output if it does not come up.
 */
export function spawnService(entry: string, env: Record<string, string>, timeoutMs = 30_000): Promise<SpawnedService> {
  return spawnEntry(entry, env, { timeoutMs });
}

export interface SpawnOptions {
  timeoutMs?: number;
  /**
   * When the process counts as started. Default: its /health answers 200. A process without an
   * HTTP server (the replication bridge) is ready when what it printed says so.
   */
  ready?: (output: string) => boolean;
}

export async function spawnEntry(entry: string, env: Record<string, string>, options: SpawnOptions = {}): Promise<SpawnedService> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  // relative to the repository (`dist/...`), or absolute (a copy of a build elsewhere)
  const main = path.resolve(ROOT, entry);
  if (!fs.existsSync(main)) throw new Error(`${entry} is not built: run \`npm run build\` first`);
  const port = env.PORT ? Number(env.PORT) : await freePort();
  let out = '';
  const child = spawn(process.execPath, [main], { cwd: ROOT, env: { ...process.env, ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const isReady = options.ready
    ? async () => options.ready!(out)
    : async () => {
      try {
        return (await fetch(`${url}/health`)).status === 200;
      } catch {
        return false; // not listening yet
      }
    };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${entry} exited with ${child.exitCode}:\n${out}`);
    if (await isReady()) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${entry} was not ready (${options.ready ? 'no start-up line' : 'no 200 on /health'}) within ${timeoutMs} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url, child, output: () => out,
    async kill(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
