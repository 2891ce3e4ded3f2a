#!/usr/bin/env bash
# Stops the broker started by start.sh: SIGTERM (a controlled shutdown that flushes the logs),
# then SIGKILL if it has not exited in time. Idempotent: no pid file or no process is success.
#   KAFKA_STOP_TIMEOUT  seconds to wait after SIGTERM (default 30)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
kafka_home="${KAFKA_HOME:-$root/.kafka}"
pidfile="$kafka_home/broker.pid"
timeout="${KAFKA_STOP_TIMEOUT:-30}"

if [[ ! -f "$pidfile" ]]; then
  echo "kafka not running (no $pidfile)"
  exit 0
fi
pid="$(cat "$pidfile")"
# The pid file may be stale after a reboot; only signal the pid if it still is our broker.
if ! kill -0 "$pid" 2>/dev/null || ! tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q "kafka.Kafka"; then
  echo "kafka not running (stale pid $pid)"
  rm -f "$pidfile"
  exit 0
fi

kill -TERM "$pid"
for ((i = 0; i < timeout * 2; i++)); do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.5
done
if kill -0 "$pid" 2>/dev/null; then
  echo "kafka (pid $pid) still running after ${timeout}s; sending SIGKILL" >&2
  kill -KILL "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
fi
rm -f "$pidfile"
echo "kafka stopped (pid $pid)"
