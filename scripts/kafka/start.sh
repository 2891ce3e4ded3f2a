#!/usr/bin/env bash
# Starts a single-node Kafka (KRaft: broker and controller in one JVM) on 127.0.0.1 for the
# integration and end-to-end tests. Fetches the jars first if needed, formats the storage on
# first use, and returns once the broker has registered and answers on its port.
#   KAFKA_PORT             client port (default 9092); the controller listens on KAFKA_PORT+1
#   KAFKA_CONTROLLER_PORT  overrides the controller port
#   KAFKA_ADVERTISED_PORT  the port clients are told to connect to (default KAFKA_PORT); tests set
#                          it to a proxy's port in front of the broker
#   KAFKA_HOME             where lib/, data/, broker.log and broker.pid live (default <repo>/.kafka)
#   KAFKA_LIB              where the jars are (default $KAFKA_HOME/lib): several brokers can share one
#   KAFKA_START_TIMEOUT    seconds to wait for the broker (default 90)
#   KAFKA_HEAP             JVM heap options (default -Xms256m -Xmx512m)
#   KAFKA_JVM_OPTS         more JVM options (tests that restart a broker use -XX:TieredStopAtLevel=1,
#                          which starts it in about half the time)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export KAFKA_HOME="${KAFKA_HOME:-$root/.kafka}"
port="${KAFKA_PORT:-9092}"
controller_port="${KAFKA_CONTROLLER_PORT:-$((port + 1))}"
advertised_port="${KAFKA_ADVERTISED_PORT:-$port}"
timeout="${KAFKA_START_TIMEOUT:-90}"
heap="${KAFKA_HEAP:--Xms256m -Xmx512m}"
jvm_opts="${KAFKA_JVM_OPTS:-}"
lib="${KAFKA_LIB:-$KAFKA_HOME/lib}"
data="$KAFKA_HOME/data"
log="$KAFKA_HOME/broker.log"
pidfile="$KAFKA_HOME/broker.pid"
config="$KAFKA_HOME/server.properties"

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
  if port_open "$port"; then
    echo "kafka already running (pid $(cat "$pidfile")) on 127.0.0.1:$port"
    exit 0
  fi
  echo "start.sh: a broker process (pid $(cat "$pidfile")) runs but 127.0.0.1:$port does not answer; run stop.sh first" >&2
  exit 1
fi
if port_open "$port"; then
  echo "start.sh: 127.0.0.1:$port is already taken by another process; set KAFKA_PORT" >&2
  exit 1
fi

"$here/fetch.sh"
mkdir -p "$data"
started_at=$(date +%s)

cat > "$config" <<PROPS
# written by scripts/kafka/start.sh; edits are overwritten at the next start
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$advertised_port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$data

# one node: every replicated internal topic must make do with one replica
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1

# topics are created explicitly by the application (DESIGN 5); a typo must fail, not create
auto.create.topics.enable=false
num.partitions=3
delete.topic.enable=true
# tests create many short-lived groups; waiting for more members only slows them down
group.initial.rebalance.delay.ms=0

# a test broker: small segments, short retention, little disk
log.segment.bytes=1048576
log.retention.hours=24
log.retention.check.interval.ms=60000
num.network.threads=2
num.io.threads=4
PROPS

cat > "$KAFKA_HOME/log4j2.properties" <<'LOG4J'
status = warn
appender.file.type = File
appender.file.name = file
appender.file.fileName = ${sys:kafka.logs.dir}/broker.log
appender.file.append = true
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = info
rootLogger.appenderRef.file.ref = file
logger.state.name = state.change.logger
logger.state.level = warn
logger.request.name = kafka.request.logger
logger.request.level = warn
LOG4J

java_cmd=(java $heap $jvm_opts -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true
  -Dkafka.logs.dir="$KAFKA_HOME" -Dlog4j2.configurationFile="$KAFKA_HOME/log4j2.properties"
  -cp "$lib/*")

if [[ ! -f "$data/meta.properties" ]]; then
  cluster_id="$("${java_cmd[@]}" kafka.tools.StorageTool random-uuid)"
  "${java_cmd[@]}" kafka.tools.StorageTool format --config "$config" --cluster-id "$cluster_id" --ignore-formatted >/dev/null
  echo "formatted $data (cluster $cluster_id)"
fi

# one log per run (the previous one kept as broker.log.1): bounded on disk, and the readiness
# check below cannot be fooled by a "started" line from an earlier run
[[ -f "$log" ]] && mv -f "$log" "$log.1"
# setsid + nohup: the broker must outlive the shell (and the CI step) that started it
setsid nohup "${java_cmd[@]}" kafka.Kafka "$config" >"$KAFKA_HOME/broker.out" 2>&1 < /dev/null &
echo $! > "$pidfile"
pid=$(cat "$pidfile")

deadline=$((started_at + timeout))
# The port opens before the broker has registered with its controller; "Kafka Server started"
# is logged once it is unfenced and can serve metadata, which is what clients need.
until port_open "$port" && grep -q "Kafka Server started" "$log" 2>/dev/null; do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "start.sh: the broker exited during start-up; last lines of $log and broker.out:" >&2
    tail -n 40 "$log" >&2 || true
    tail -n 20 "$KAFKA_HOME/broker.out" >&2 || true
    rm -f "$pidfile"
    exit 1
  fi
  if (( $(date +%s) >= deadline )); then
    echo "start.sh: the broker did not become ready within ${timeout}s; last lines of $log:" >&2
    tail -n 40 "$log" >&2 || true
    exit 1
  fi
  sleep 0.5
done
echo "kafka $(cat "$lib/.version") ready on 127.0.0.1:$port (pid $pid, $(( $(date +%s) - started_at ))s)"
