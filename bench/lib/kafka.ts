import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { assertBrokerReachable } from '@lianban/testing/distributed';
import { freePort } from '@lianban/testing/process';
import { rmrf, ROOT, tempDir, type BenchContext } from './common';

const run = promisify(execFile);

export interface BenchBroker {
  brokers: string;
  /** true when the bench started it (and so stops it) */
  private: boolean;
  stop(): Promise<void>;
}

/**
 * The broker B5 measures against: KAFKA_BROKERS when it is set and answers; otherwise a private
 * single-node broker (scripts/kafka/start.sh with its own KAFKA_HOME and free ports), stopped
 * and removed at the end. A broker the bench did not start is never stopped.
 */
export async function benchBroker(ctx: BenchContext): Promise<BenchBroker> {
  const given = process.env.KAFKA_BROKERS;
  if (given) {
    try {
      await assertBrokerReachable(given);
      return { brokers: given, private: false, stop: async () => undefined };
    } catch (e) {
      ctx.log(`  KAFKA_BROKERS=${given} does not answer (${(e as Error).message.split(';')[0]}): starting a private broker`);
    }
  }
  const home = tempDir('lianban-bench-kafka-');
  const port = await freePort();
  let controller = await freePort();
  while (controller === port) controller = await freePort();
  const env = { ...process.env, KAFKA_HOME: home, KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(controller) };
  const script = (name: string) => path.join(ROOT, 'scripts/kafka', name);
  const t0 = Date.now();
  try {
    await run(script('start.sh'), [], { env, cwd: ROOT });
  } catch (e) {
    // start.sh may have left a JVM behind (a timeout): stop.sh only stops the pid it wrote
    await run(script('stop.sh'), [], { env, cwd: ROOT }).catch(() => undefined);
    rmrf(home);
    const err = e as { stderr?: string; message: string };
    throw new Error(`could not start a private Kafka broker: ${err.stderr || err.message}`);
  }
  ctx.log(`  private Kafka broker on 127.0.0.1:${port} (KAFKA_HOME ${home}) ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return {
    brokers: `127.0.0.1:${port}`,
    private: true,
    async stop() {
      await run(script('stop.sh'), [], { env, cwd: ROOT });
      rmrf(home);
    },
  };
}
