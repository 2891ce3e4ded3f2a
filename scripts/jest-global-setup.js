// `npm test` must pass on a fresh machine with nothing but Node, Java, Maven and PostgreSQL:
// when no Kafka broker answers at KAFKA_BROKERS (default 127.0.0.1:9092) and the integration
// or e2e tier is selected, start the repo's own single-node broker (scripts/kafka). It is left
// running — like the PostgreSQL server — so later and concurrent test runs share it and are not
// cut off mid-run; `scripts/kafka/stop.sh` stops it (.ci/run does so on exit). This is the
// shared broker at its fixed place (.kafka, on the port KAFKA_BROKERS names); a test or the bench that needs a broker
// of its own uses startDedicatedBroker (libs/testing/src/kafka-broker.ts) instead.
const { execFileSync } = require('node:child_process');
const net = require('node:net');
const path = require('node:path');

function reachable(hostPort) {
  const [host, port] = hostPort.split(':');
  return new Promise((resolve) => {
    const s = net.connect({ host, port: Number(port) });
    s.setTimeout(1000);
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('timeout', () => { s.destroy(); resolve(false); });
    s.once('error', () => resolve(false));
  });
}

module.exports = async function globalSetup(globalConfig) {
  const selected = globalConfig.selectProjects ?? ['unit', 'integration', 'e2e'];
  if (!selected.some((p) => p === 'integration' || p === 'e2e')) return;
  const brokers = process.env.KAFKA_BROKERS || '127.0.0.1:9092';
  process.env.KAFKA_BROKERS = brokers;
  if (await reachable(brokers.split(',')[0])) return;
  process.stderr.write(`\njest: no Kafka broker at ${brokers}; starting scripts/kafka/start.sh (it fetches the jars first)…\n`);
  // on the port KAFKA_BROKERS names, when it names one on this machine: the tests then find it there
  const [host, port] = brokers.split(',')[0].split(':');
  if (!['127.0.0.1', 'localhost'].includes(host)) throw new Error(`jest: no Kafka broker answers at ${brokers}, and it is not on this machine to start`);
  execFileSync(path.join(__dirname, 'kafka', 'start.sh'), { stdio: 'inherit', env: { ...process.env, KAFKA_PORT: port || '9092' } });
};
