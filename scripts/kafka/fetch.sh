#!/usr/bin/env bash
# Puts a Kafka broker's jars under .kafka/lib, taken from Maven Central through Maven (this
# project's machines reach no download site, only package registries). Idempotent: does nothing
# when .kafka/lib already holds the requested version.
#   KAFKA_VERSION  overrides the version pinned in pom.xml
#   KAFKA_HOME     where .kafka lives (default: the repository root)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
kafka_home="${KAFKA_HOME:-$root/.kafka}"
lib="$kafka_home/lib"
pinned="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/pom.xml")"
version="${KAFKA_VERSION:-$pinned}"

if [[ -f "$lib/.version" && "$(cat "$lib/.version")" == "$version" ]] \
   && compgen -G "$lib/kafka_2.13-$version.jar" >/dev/null; then
  echo "kafka $version already in $lib"
  exit 0
fi

command -v mvn >/dev/null || { echo "fetch.sh: mvn not found (Maven 3.8+ and Java 17 are needed)" >&2; exit 1; }

# Fetch into a fresh folder and swap it in, so an interrupted run never leaves a half-filled lib
# that the check above would take for complete.
tmp="$kafka_home/lib.partial"
rm -rf "$tmp"
mkdir -p "$tmp"
start=$(date +%s)
# Maven's output is kept for a failure only (even -q -B prints terminal reset codes here)
if ! mvn -B -q -Dstyle.color=never -f "$here/pom.xml" \
  -Dkafka.version="$version" \
  dependency:copy-dependencies \
  -DincludeScope=runtime \
  -DoutputDirectory="$tmp" > "$kafka_home/fetch.log" 2>&1; then
  echo "fetch.sh: mvn failed for kafka_2.13:$version; its output:" >&2
  cat "$kafka_home/fetch.log" >&2
  rm -rf "$tmp"
  exit 1
fi
echo "$version" > "$tmp/.version"
rm -rf "$lib"
mv "$tmp" "$lib"
echo "kafka $version: $(ls "$lib"/*.jar | wc -l) jars in $lib ($(( $(date +%s) - start ))s)"
