import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './process';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../../..');
const SCRIPTS = path.join(ROOT, 'scripts/kafka');
/** where fetch.sh puts the jars: the shared broker's KAFKA_HOME, so CI fetches them once for every broker */
export const JAR_HOME = process.env.KAFKA_HOME ?? path.join(ROOT, '.kafka');

/** Runs scripts/kafka/<name>; a failure carries the script's output, which says why. */
export async function kafkaScript(name: string, args: string[] = [], env: Record<string, string> = {}): Promise<string> {
  try {
    const { stdout } = await run(path.join(SCRIPTS, name), args, { env: { ...process.env, ...env }, timeout: 180_000, maxBuffer: 16 << 20 });
    return stdout;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`scripts/kafka/${[name, ...args].join(' ')} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

/** The broker's jars under JAR_HOME (fetch.sh is a no-op when they are there); returns their folder, for KAFKA_LIB. */
export async function ensureBrokerJars(): Promise<string> {
  await kafkaScript('fetch.sh', [], { KAFKA_HOME: JAR_HOME });
  return path.join(JAR_HOME, 'lib');
}

/**
 * A single-node KRaft broker of one test's (or the bench's) own: scripts/kafka/start.sh under a
 * temp KAFKA_HOME, on free ports, with the jars shared from JAR_HOME. For tests that stop and
 * restart a broker (the shared broker of the test tiers must never go away under the other
 * tests), that need clusters of their own (MirrorMaker between two), or a bench that finds no
 * broker. Restarting keeps the data directory, so it is the same cluster with its topics and
 * committed offsets, as after a real outage.
 */
export interface DedicatedBroker {
  /** `host:port` for KAFKA_BROKERS (the advertised address) */
  brokers: string;
  /** the port the broker itself listens on */
  port: number;
  /** its KAFKA_HOME: data/, broker.log, broker.pid */
  home: string;
  /** the JVM's pid while it runs */
  pid(): number | null;
  /**
   * Takes the broker away. SIGKILL: the JVM dies at once, no controlled shutdown, no log flush,
   * connections reset; SIGTERM: stop.sh's controlled shutdown. Resolves once the process is gone.
   */
  stop(signal?: 'SIGKILL' | 'SIGTERM'): Promise<void>;
  /** starts it again on the same data and ports; resolves once it serves metadata */
  restart(): Promise<void>;
  /** stops it (if running) and deletes its KAFKA_HOME */
  close(): Promise<void>;
}

export interface DedicatedBrokerOptions {
  /** the port clients are told to use, when a proxy stands in front of the broker (default: the broker's own) */
  advertisedPort?: number;
  /** the temp KAFKA_HOME's name prefix (default `lianban-kafka-`) */
  label?: string;
  /**
   * 'test' (default): C1 only and a small heap, the JVM starts in about half the time and a
   * test's traffic needs no C2. 'bench': start.sh's own JVM settings, those of the shared broker,
   * so that a benchmark measures a broker that compiles its hot paths fully.
   */
  jvm?: 'test' | 'bench';
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function startDedicatedBroker(options: DedicatedBrokerOptions = {}): Promise<DedicatedBroker> {
  // used from JAR_HOME: every dedicated broker would otherwise copy the same ~45 jars again
  const lib = await ensureBrokerJars();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), options.label ?? 'lianban-kafka-'));
  const port = await freePort();
  let controllerPort = await freePort();
  while (controllerPort === port || controllerPort === options.advertisedPort) controllerPort = await freePort();
  const advertisedPort = options.advertisedPort ?? port;
  const env: Record<string, string> = {
    KAFKA_HOME: home, KAFKA_LIB: lib, KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(controllerPort), KAFKA_ADVERTISED_PORT: String(advertisedPort),
    ...(options.jvm === 'bench' ? {} : { KAFKA_HEAP: '-Xms128m -Xmx384m', KAFKA_JVM_OPTS: '-XX:TieredStopAtLevel=1' }),
  };
  const pidFile = path.join(home, 'broker.pid');
  const pid = () => (fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf8').trim()) : null);
  const kill = async () => {
    const p = pid();
    if (p === null || !alive(p)) return;
    process.kill(p, 'SIGKILL');
    while (alive(p)) await new Promise((r) => setTimeout(r, 50));
    fs.rmSync(pidFile, { force: true });
  };
  try {
    await kafkaScript('start.sh', [], env);
  } catch (error) {
    // start.sh gives up on a slow start but leaves the JVM running (setsid): nobody else would stop it
    await kill();
    fs.rmSync(home, { recursive: true, force: true });
    throw error;
  }

  const broker: DedicatedBroker = {
    brokers: `127.0.0.1:${advertisedPort}`,
    port,
    home,
    pid,
    async stop(signal = 'SIGKILL') {
      if (signal === 'SIGTERM') {
        await kafkaScript('stop.sh', [], env);
        return;
      }
      await kill();
    },
    async restart() {
      await kafkaScript('start.sh', [], env);
    },
    async close() {
      await broker.stop('SIGKILL').catch(() => undefined);
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
  return broker;
}
