import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { ensureBrokerJars, JAR_HOME, kafkaScript } from './kafka-broker';

/**
 * Production's replication topology for the e2e tier (docs/cross-region.md): one single-node
 * KRaft cluster per region (startDedicatedBroker in ./kafka-broker, so the shared broker on 9092
 * is never touched) and MirrorMaker 2 in dedicated mode between them, run from the committed
 * docker/mm2/mm2.properties.
 */
const ROOT = path.resolve(__dirname, '../../..');
export const MM2_PROPERTIES = path.join(ROOT, 'docker/mm2/mm2.properties');
const run = promisify(execFile);

/**
 * MirrorMaker's jars (and the broker's), fetched from Maven Central if absent (no-ops when
 * present); returns MirrorMaker's folder. Without java or mvn this throws: the test fails, it is
 * never skipped.
 */
export async function ensureMirrorMakerJars(): Promise<string> {
  try {
    await run('java', ['-version']);
  } catch (e) {
    throw new Error(`java is not on PATH (Java 17 runs the brokers and MirrorMaker 2): ${(e as Error).message}`);
  }
  await ensureBrokerJars();
  await kafkaScript('fetch.sh', ['mm2'], { KAFKA_HOME: JAR_HOME });
  return path.join(JAR_HOME, 'mm2-lib');
}

/** `key = value` lines of a Java properties file (this file's subset: no continuations, no escapes in keys). */
export function propertyKeys(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\s*([^#!\s][^=]*?)\s*=\s*(.*?)\s*$/.exec(line);
    if (m) out.set(m[1], m[2]);
  }
  return out;
}

/**
 * The committed configuration with `overrides` put in place of the values it has for those keys,
 * every other line unchanged. A key it does not have is an error: the test must run the
 * documented file, not a configuration of its own.
 */
export function withOverrides(text: string, overrides: Record<string, string>): string {
  const present = propertyKeys(text);
  const missing = Object.keys(overrides).filter((k) => !present.has(k));
  if (missing.length > 0) throw new Error(`${path.relative(ROOT, MM2_PROPERTIES)} has no ${missing.join(', ')}`);
  return text
    .split('\n')
    .map((line) => {
      const m = /^\s*([^#!\s][^=]*?)\s*=/.exec(line);
      return m && m[1] in overrides ? `${m[1]} = ${overrides[m[1]]}` : line;
    })
    .join('\n');
}

export interface MirrorMaker {
  child: ChildProcess;
  /** MirrorMaker's log file (warnings and errors, and the mirror package's own info lines) */
  log(): string;
  stop(): Promise<void>;
}

/**
 * `java -cp mm2-lib/* org.apache.kafka.connect.mirror.MirrorMaker <config>` (what
 * connect-mirror-maker.sh runs), and waits until each flow's MirrorSourceConnector task is
 * replicating its outbound topic's partitions: from then on a message on one cluster's outbound
 * topic is copied. Its consumers start at the earliest offset, so nothing produced before is lost.
 */
export async function startMirrorMaker(config: string, dir: string, lib: string, flows: string[], timeoutMs = 75_000): Promise<MirrorMaker> {
  fs.mkdirSync(dir, { recursive: true });
  const configFile = path.join(dir, 'mm2.properties');
  const logFile = path.join(dir, 'mm2.log');
  fs.writeFileSync(configFile, config);
  fs.writeFileSync(path.join(dir, 'log4j2.properties'), [
    'status = warn',
    'appender.file.type = File',
    'appender.file.name = file',
    `appender.file.fileName = ${logFile}`,
    'appender.file.layout.type = PatternLayout',
    'appender.file.layout.pattern = [%d] %p %m (%c)%n',
    'rootLogger.level = warn',
    'rootLogger.appenderRef.file.ref = file',
    'logger.mirror.name = org.apache.kafka.connect.mirror',
    'logger.mirror.level = info',
    // Connect logs this at every start when plugins are scanned the default way: not ours to fix
    'logger.plugins.name = org.apache.kafka.connect.runtime.isolation.Plugins',
    'logger.plugins.level = error',
    '',
  ].join('\n'));
  let out = '';
  const child = spawn('java', [
    // C1 only: a short-lived JVM on two shared cores starts faster without the optimising compiler
    '-Xms128m', '-Xmx384m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${path.join(dir, 'log4j2.properties')}`,
    '-cp', `${lib}/*`, 'org.apache.kafka.connect.mirror.MirrorMaker', configFile,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const log = () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '');
  const mm: MirrorMaker = {
    child,
    log,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killed = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(killed);
    },
  };
  const deadline = Date.now() + timeoutMs;
  const replicating = (flow: string) => new RegExp(`replicating \\d+ topic-partitions ${flow.replace('>', '\\>')}: \\[[^\\]]*outbound`).test(log());
  while (!flows.every(replicating)) {
    if (child.exitCode !== null) throw new Error(`MirrorMaker exited with ${child.exitCode}:\n${out}\n${log().slice(-8000)}`);
    if (Date.now() > deadline) {
      await mm.stop();
      throw new Error(`MirrorMaker did not replicate ${flows.filter((f) => !replicating(f)).join(', ')} within ${timeoutMs} ms; its log:\n${log().slice(-8000)}\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return mm;
}
